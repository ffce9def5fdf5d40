"""Tables of the store; times are UNIX seconds (floats) so every database agrees on them."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the k8sfix tables."""


class ChannelSetting(Base):
    """Triage switched on or off in one channel by ``/k8sfix triage on|off``."""

    __tablename__ = "k8sfix_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    triage: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[float] = mapped_column(Float)


class Query(Base):
    """One question answered (or not): the triage history and the feedback anchor."""

    __tablename__ = "k8sfix_queries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    entry_point: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[str] = mapped_column(String(32), default="")
    message_ts: Mapped[str] = mapped_column(String(32), default="")
    thread_ts: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    """The asked text, redacted and shortened."""
    text_key: Mapped[str] = mapped_column(String(64), default="", index=True)
    """Hash of the normalised text: groups repeats of one unmatched question."""
    lang: Mapped[str] = mapped_column(String(8), default="en")
    entry_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    confidence: Mapped[str | None] = mapped_column(String(8), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    abstained: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=True)
    result: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of the ranked matches (ids, scores, redacted evidence) to re-render the answer."""


class Feedback(Base):
    """One user's vote on one answer; a later vote replaces the earlier one."""

    __tablename__ = "k8sfix_feedback"

    query_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[float] = mapped_column(Float)


class Correction(Base):
    """After a "Not helpful" vote, the topic the asker picked instead ("" for none of the candidates)."""

    __tablename__ = "k8sfix_corrections"

    query_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    answered_id: Mapped[str] = mapped_column(String(128), default="", index=True)
    """The topic that was answered (and voted not helpful)."""
    chosen_id: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Float)


class Claim(Base):
    """A key that only the first replica or thread to insert it may act on (event ids, messages)."""

    __tablename__ = "k8sfix_claims"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    holder: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    """The delivery that took the claim: its own redelivery (after a crash) may take it again."""


class Delivery(Base):
    """One Slack delivery (event, command, click, shortcut): pending until answered, then done.

    A row is written before Slack is acknowledged and marked done once the answer
    is out, so a question acknowledged by a replica that then died is finished by
    the next replica whose lease sweep finds it; Slack's resend of a done one is dropped.
    """

    __tablename__ = "k8sfix_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(8), default="pending")
    """pending or done."""
    owner: Mapped[str] = mapped_column(String(64), default="")
    """The replica working on it (host, pid and a random part)."""
    lease_until: Mapped[float] = mapped_column(Float)
    """Past this time another replica may take a pending delivery over."""
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    updated_at: Mapped[float] = mapped_column(Float)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    """JSON: where to answer and, once read, the question (redacted and cut); emptied when done."""


class TopicThread(Base):
    """The first thread that answered a topic in a channel; repeats within the window point to it."""

    __tablename__ = "k8sfix_topic_threads"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32))
    permalink: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    repeats: Mapped[int] = mapped_column(Integer, default=0)


Index("ix_k8sfix_queries_unmatched", Query.abstained, Query.entry_point)
Index("ix_k8sfix_deliveries_pending", Delivery.state, Delivery.lease_until)
