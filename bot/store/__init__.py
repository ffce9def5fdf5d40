"""Persistent state: channel triage settings, question history, feedback and cross-replica claims."""

from __future__ import annotations

from bot.store.records import (
    CorrectionCount,
    NewQuery,
    PendingDelivery,
    QueryRecord,
    Stats,
    TopicClaim,
    TopicStats,
    UnmatchedText,
)
from bot.store.store import MAX_STORED_TEXT, Store, open_existing_store, open_store
from bot.store.textkey import normalise, text_key

__all__ = [
    "MAX_STORED_TEXT",
    "CorrectionCount",
    "NewQuery",
    "PendingDelivery",
    "QueryRecord",
    "Stats",
    "Store",
    "TopicClaim",
    "TopicStats",
    "UnmatchedText",
    "normalise",
    "open_existing_store",
    "open_store",
    "text_key",
]
