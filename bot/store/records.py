"""Plain values the store returns, detached from any database session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NewQuery:
    """What to record about one question; the text is redacted by the store before it is written."""

    entry_point: str
    text: str
    lang: str
    channel_id: str = ""
    user_id: str = ""
    message_ts: str = ""
    thread_ts: str = ""
    entry_id: str | None = None
    confidence: str | None = None
    score: float | None = None
    abstained: bool = False
    answered: bool = True
    result: dict[str, Any] = field(default_factory=dict)
    delivery: str = ""
    """Key of the Slack delivery that asked it (recording it again replaces the row)."""


@dataclass(frozen=True)
class QueryRecord:
    """One recorded question as stored (text already redacted)."""

    id: str
    created_at: float
    entry_point: str
    channel_id: str
    user_id: str
    message_ts: str
    thread_ts: str
    text: str
    lang: str
    entry_id: str | None
    confidence: str | None
    score: float | None
    abstained: bool
    answered: bool
    result: dict[str, Any]


@dataclass(frozen=True)
class TopicClaim:
    """Outcome of claiming a topic in a channel for triage."""

    first: bool
    """True when this message opens the topic's thread; False for a repeat within the window."""
    thread_ts: str
    permalink: str = ""


@dataclass(frozen=True)
class TopicStats:
    """Feedback on one topic."""

    entry_id: str
    answers: int
    votes: int
    helpful: int

    @property
    def helpful_rate(self) -> float | None:
        """Share of helpful votes, None without votes."""
        return self.helpful / self.votes if self.votes else None


@dataclass(frozen=True)
class UnmatchedText:
    """A question the KB could not answer, with how often it was asked."""

    text: str
    count: int
    last_asked: float


@dataclass(frozen=True)
class CorrectionCount:
    """How often askers said another topic was the right one for answers of ``answered_id``."""

    answered_id: str
    chosen_id: str
    """The topic picked instead; "" when none of the candidates was right."""
    count: int


@dataclass(frozen=True)
class Stats:
    """What ``k8sfix stats`` prints."""

    queries: int
    abstentions: int
    topics: tuple[TopicStats, ...]
    unmatched: tuple[UnmatchedText, ...]
    corrections: tuple[CorrectionCount, ...] = ()


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery taken over from a replica whose lease ran out (it crashed or was killed)."""

    key: str
    kind: str
    created_at: float
    attempts: int
    payload: dict[str, Any]
