"""Persistent state: channel triage settings, question history, feedback and cross-replica claims."""

from __future__ import annotations

from bot.store.records import NewQuery, PendingDelivery, QueryRecord, Stats, TopicClaim, TopicStats, UnmatchedText
from bot.store.store import MAX_STORED_TEXT, Store, open_store
from bot.store.textkey import normalise, text_key

__all__ = [
    "MAX_STORED_TEXT",
    "NewQuery",
    "PendingDelivery",
    "QueryRecord",
    "Stats",
    "Store",
    "TopicClaim",
    "TopicStats",
    "UnmatchedText",
    "normalise",
    "open_store",
    "text_key",
]
