"""The store: channel settings, question history, feedback, and claims shared by every replica.

Claims are rows with a unique key: the first replica (or thread) to insert one wins,
so a retried or duplicated Slack event is answered once however many replicas
receive it. Every text is redacted before it is written.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Literal, cast

from sqlalchemy import Engine, Table, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConfigError
from bot.redact import redact, redact_data
from bot.store.engine import open_engine
from bot.store.migrate import migrate
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
from bot.store.schema import ChannelSetting, Claim, Correction, Delivery, Feedback, Query, TopicThread
from bot.store.textkey import text_key

_INSERT_DELIVERY = insert(cast(Table, Delivery.__table__))
_INSERT_QUERY = insert(cast(Table, Query.__table__))
"""Table inserts built once, values bound at execution: the two writes every answer makes (one before
its acknowledgement) skip building and caching a statement per call."""

MAX_STORED_TEXT = 4000
"""Characters of an asked text kept in the history (after redaction)."""
REDACT_MARGIN = 2000
"""Characters read past the cut, so that a secret straddling it is seen whole by the rules."""
PRUNE_EVERY_S = 600.0
Begun = Literal["new", "taken_over", "duplicate", "busy"]
"""Outcome of :meth:`Store.begin_delivery`: act on new and taken_over, drop duplicate (done) and busy."""


class Store:
    """Persistent state of the bot behind one SQLAlchemy engine; safe to share between threads."""

    def __init__(self, engine: Engine, *, claim_ttl: float = 86_400.0) -> None:
        """Wrap ``engine``; call :meth:`create_schema` once before use (``open_store`` does)."""
        self.engine = engine
        self.claim_ttl = claim_ttl
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()

    def create_schema(self) -> None:
        """Bring the schema to the current revision (Alembic migrations; an empty database gets every table)."""
        migrate(self.engine)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def ping(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def _session(self) -> Session:
        return self._sessions()

    # claims -----------------------------------------------------------------

    def claim(self, key: str, now: float | None = None, *, holder: str = "") -> bool:
        """Claim ``key``; True for the first caller across every replica, False after that.

        Args:
            key: What is claimed (``msg:<channel>:<ts>``...).
            now: The current UNIX time.
            holder: The delivery claiming it; the same holder wins again, so a delivery
                finished after a crash is not stopped by its own earlier claim.
        """
        now = time.time() if now is None else now
        self._maybe_prune(now)
        with self._session() as session:
            session.add(Claim(key=key[:200], created_at=now, holder=holder[:200]))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                if not holder:
                    return False
                return session.scalar(select(Claim.holder).where(Claim.key == key[:200])) == holder[:200]
        return True

    # deliveries ---------------------------------------------------------------

    def begin_delivery(self, key: str, kind: str, owner: str, lease: float, payload: dict[str, Any],
                       now: float | None = None) -> Begun:
        """Record a delivery as pending before it is acknowledged.

        Returns:
            ``new`` for a first delivery; ``taken_over`` for a resend of one still
            pending whose lease ran out (its replica died); ``duplicate`` for a
            resend of one already done; ``busy`` while another replica works on it.
        """
        now = time.time() if now is None else now
        key = key[:200]
        # Core statements, not the ORM unit of work: this runs before every acknowledgement.
        try:
            with self.engine.begin() as conn:
                conn.execute(_INSERT_DELIVERY, dict(
                    key=key, kind=kind, state="pending", owner=owner, lease_until=now + lease, attempts=1,
                    created_at=now, updated_at=now, payload=json.dumps(payload, ensure_ascii=False)))
            return "new"
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            row = conn.execute(select(Delivery.state, Delivery.lease_until).where(Delivery.key == key)).first()
            if row is None or (row.state != "done" and row.lease_until >= now):
                return "busy"
            if row.state == "done":
                return "duplicate"
            taken = conn.execute(
                update(Delivery).where(Delivery.key == key, Delivery.state == "pending",
                                       Delivery.lease_until == row.lease_until)
                .values(owner=owner, lease_until=now + lease, attempts=Delivery.attempts + 1, updated_at=now,
                        payload=json.dumps(payload, ensure_ascii=False)))
        return "taken_over" if getattr(taken, "rowcount", 0) == 1 else "busy"

    def update_delivery(self, key: str, payload: dict[str, Any], now: float | None = None) -> None:
        """Add to a pending delivery's payload (the question once read, already redacted)."""
        now = time.time() if now is None else now
        with self._session() as session:
            row = session.get(Delivery, key[:200])
            if row is None or row.state != "pending":
                return
            row.payload = json.dumps({**_json_dict(row.payload), **payload}, ensure_ascii=False)
            row.updated_at = now
            session.commit()

    def finish_delivery(self, key: str, now: float | None = None) -> None:
        """Mark a delivery done (its resends are dropped from now on) and forget its payload."""
        now = time.time() if now is None else now
        with self.engine.begin() as conn:
            conn.execute(update(Delivery).where(Delivery.key == key[:200])
                         .values(state="done", payload="{}", updated_at=now))

    def release_delivery(self, key: str) -> None:
        """Forget a delivery that failed before any work was queued, so Slack's retry is processed."""
        with self._session() as session:
            session.execute(delete(Delivery).where(Delivery.key == key[:200], Delivery.state == "pending"))
            session.commit()

    def delivery_state(self, key: str) -> str | None:
        """pending, done, or None for an unknown delivery."""
        with self._session() as session:
            return session.scalar(select(Delivery.state).where(Delivery.key == key[:200]))

    def renew_leases(self, owner: str, keys: list[str], lease: float, now: float | None = None) -> int:
        """Extend the lease of ``owner``'s pending deliveries in ``keys``; return how many were renewed."""
        if not keys:
            return 0
        now = time.time() if now is None else now
        with self._session() as session:
            result = session.execute(update(Delivery).where(
                Delivery.key.in_([k[:200] for k in keys]), Delivery.owner == owner, Delivery.state == "pending")
                .values(lease_until=now + lease))
            session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    def take_expired(self, owner: str, lease: float, now: float | None = None,
                     limit: int = 50) -> list[PendingDelivery]:
        """Take over pending deliveries whose lease ran out; each is given to exactly one caller."""
        now = time.time() if now is None else now
        taken: list[PendingDelivery] = []
        with self._session() as session:
            rows = session.execute(
                select(Delivery.key, Delivery.lease_until).where(
                    Delivery.state == "pending", Delivery.lease_until < now)
                .order_by(Delivery.created_at).limit(limit)).all()
            for key, lease_until in rows:
                result = session.execute(
                    update(Delivery).where(Delivery.key == key, Delivery.state == "pending",
                                           Delivery.lease_until == lease_until)
                    .values(owner=owner, lease_until=now + lease, attempts=Delivery.attempts + 1, updated_at=now))
                session.commit()
                if getattr(result, "rowcount", 0) != 1:
                    continue
                row = session.get(Delivery, key)
                if row is not None:
                    taken.append(PendingDelivery(key=row.key, kind=row.kind, created_at=row.created_at,
                                                 attempts=row.attempts, payload=_json_dict(row.payload)))
        return taken

    def _maybe_prune(self, now: float) -> None:
        if now < self._next_prune or not self._prune_lock.acquire(blocking=False):
            return
        try:
            self._next_prune = now + PRUNE_EVERY_S
            self.prune(now)
        finally:
            self._prune_lock.release()

    def prune(self, now: float | None = None) -> int:
        """Forget claims older than the claim TTL; return how many were removed."""
        now = time.time() if now is None else now
        with self._session() as session:
            result = session.execute(delete(Claim).where(Claim.created_at < now - self.claim_ttl))
            session.execute(delete(Delivery).where(Delivery.created_at < now - self.claim_ttl))
            session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    # channel settings ---------------------------------------------------------

    def triage_setting(self, channel_id: str) -> bool | None:
        """Triage on/off as last set in ``channel_id``, None when never set there."""
        with self._session() as session:
            row = session.get(ChannelSetting, channel_id)
            return None if row is None else row.triage

    def triage_settings(self) -> dict[str, bool]:
        """Every channel's triage switch as last set (channels never set are absent)."""
        with self._session() as session:
            return {row.channel_id: row.triage for row in session.scalars(select(ChannelSetting))}

    def set_triage(self, channel_id: str, on: bool, user_id: str = "", now: float | None = None) -> None:
        """Switch triage on or off in ``channel_id``."""
        now = time.time() if now is None else now
        with self._session() as session:
            row = session.get(ChannelSetting, channel_id)
            if row is None:
                session.add(ChannelSetting(channel_id=channel_id, triage=on, updated_by=user_id, updated_at=now))
            else:
                row.triage, row.updated_by, row.updated_at = on, user_id, now
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                session.execute(update(ChannelSetting).where(ChannelSetting.channel_id == channel_id)
                                .values(triage=on, updated_by=user_id, updated_at=now))
                session.commit()

    # history and feedback -------------------------------------------------------

    def record_query(self, query: NewQuery, now: float | None = None) -> str:
        """Store one question (its text shortened, then redacted); return its id.

        A question with a ``delivery`` key gets an id derived from it, so answering one
        delivery again (after a crash) replaces its row instead of counting it twice.
        """
        now = time.time() if now is None else now
        query_id = uuid.uuid5(uuid.NAMESPACE_URL, f"k8sfix:{query.delivery}").hex if query.delivery \
            else uuid.uuid4().hex
        clean = stored_text(query.text)
        values = dict(
            id=query_id, created_at=now, entry_point=query.entry_point, channel_id=query.channel_id,
            user_id=query.user_id, message_ts=query.message_ts, thread_ts=query.thread_ts,
            text=clean, text_key=text_key(clean), lang=query.lang,
            entry_id=query.entry_id, confidence=query.confidence, score=query.score,
            abstained=query.abstained, answered=query.answered,
            result=json.dumps(redact_data(query.result), ensure_ascii=False),
        )
        # One INSERT: every answer passes here, and the ORM's merge (a SELECT, then the unit of
        # work) cost more interpreter time than the matching under load. A row already there
        # is the same delivery answered again, which replaces it.
        try:
            with self.engine.begin() as conn:
                conn.execute(_INSERT_QUERY, values)
        except IntegrityError:
            if not query.delivery:
                raise
            with self.engine.begin() as conn:
                conn.execute(update(Query).where(Query.id == query_id).values(values))
        return query_id

    def get_query(self, query_id: str) -> QueryRecord | None:
        """The recorded question with this id, or None."""
        with self._session() as session:
            row = session.get(Query, query_id)
            return None if row is None else _record(row)

    def record_feedback(self, query_id: str, user_id: str, helpful: bool, now: float | None = None) -> bool:
        """Keep ``user_id``'s vote on an answer (replacing an earlier one); False if the answer is unknown."""
        now = time.time() if now is None else now
        with self._session() as session:
            if session.get(Query, query_id) is None:
                return False
            row = session.get(Feedback, (query_id, user_id))
            if row is None:
                session.add(Feedback(query_id=query_id, user_id=user_id, helpful=helpful, created_at=now))
            else:
                row.helpful, row.created_at = helpful, now
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                session.execute(update(Feedback).where(Feedback.query_id == query_id, Feedback.user_id == user_id)
                                .values(helpful=helpful, created_at=now))
                session.commit()
        return True

    def record_correction(self, query_id: str, user_id: str, chosen_id: str, now: float | None = None) -> bool:
        """Keep the topic ``user_id`` picked instead of an answer ("" for none); False if the answer is unknown."""
        now = time.time() if now is None else now
        with self._session() as session:
            query = session.get(Query, query_id)
            if query is None:
                return False
            row = session.get(Correction, (query_id, user_id))
            if row is None:
                session.add(Correction(query_id=query_id, user_id=user_id, answered_id=query.entry_id or "",
                                       chosen_id=chosen_id, created_at=now))
            else:
                row.chosen_id, row.created_at = chosen_id, now
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                session.execute(update(Correction).where(Correction.query_id == query_id,
                                                         Correction.user_id == user_id)
                                .values(chosen_id=chosen_id, created_at=now))
                session.commit()
        return True

    # triage topics -----------------------------------------------------------------

    def claim_topic(
        self, channel_id: str, entry_id: str, thread_ts: str, window: float, now: float | None = None
    ) -> TopicClaim:
        """Open ``entry_id``'s thread in a channel, or return the thread opened within ``window`` seconds."""
        now = time.time() if now is None else now
        for _ in range(5):
            with self._session() as session:
                session.add(TopicThread(channel_id=channel_id, entry_id=entry_id, thread_ts=thread_ts,
                                        permalink="", created_at=now, repeats=0))
                try:
                    session.commit()
                    return TopicClaim(first=True, thread_ts=thread_ts)
                except IntegrityError:
                    session.rollback()
                row = session.get(TopicThread, (channel_id, entry_id))
                if row is None:
                    continue
                key = (TopicThread.channel_id == channel_id, TopicThread.entry_id == entry_id)
                if now - row.created_at < window:
                    session.execute(update(TopicThread).where(*key).values(repeats=TopicThread.repeats + 1))
                    session.commit()
                    return TopicClaim(first=False, thread_ts=row.thread_ts, permalink=row.permalink)
                taken = session.execute(
                    update(TopicThread).where(*key, TopicThread.created_at == row.created_at)
                    .values(thread_ts=thread_ts, permalink="", created_at=now, repeats=0))
                session.commit()
                if getattr(taken, "rowcount", 0) == 1:
                    return TopicClaim(first=True, thread_ts=thread_ts)
        raise RuntimeError(f"could not claim topic {entry_id} in {channel_id}: too much contention")

    def set_topic_permalink(self, channel_id: str, entry_id: str, thread_ts: str, permalink: str) -> None:
        """Remember the link of the thread that answered a topic (shown by the repeats)."""
        with self._session() as session:
            session.execute(update(TopicThread).where(
                TopicThread.channel_id == channel_id, TopicThread.entry_id == entry_id,
                TopicThread.thread_ts == thread_ts).values(permalink=permalink))
            session.commit()

    # stats ----------------------------------------------------------------------------

    def stats(self, *, limit: int = 10, since: float | None = None, include_triage: bool = False) -> Stats:
        """Helpful rate per topic and the most frequent unmatched questions.

        Args:
            limit: How many unmatched questions to list.
            since: Only count questions asked after this UNIX time.
            include_triage: Also list unmatched channel messages seen by triage (noisy:
                on-call chatter is not a question).
        """
        since = since or 0.0
        with self._session() as session:
            total = session.scalar(select(func.count()).select_from(Query).where(Query.created_at >= since)) or 0
            abstentions = session.scalar(select(func.count()).select_from(Query).where(
                Query.created_at >= since, Query.abstained.is_(True))) or 0
            answers = dict(session.execute(
                select(Query.entry_id, func.count()).where(
                    Query.created_at >= since, Query.entry_id.is_not(None), Query.answered.is_(True))
                .group_by(Query.entry_id)).all())
            votes: dict[str, list[int]] = {}
            for entry_id, helpful, count in session.execute(
                select(Query.entry_id, Feedback.helpful, func.count())
                .join(Feedback, Feedback.query_id == Query.id)
                .where(Query.created_at >= since, Query.entry_id.is_not(None))
                .group_by(Query.entry_id, Feedback.helpful)):
                tally = votes.setdefault(str(entry_id), [0, 0])
                tally[0] += count
                tally[1] += count if helpful else 0
            topics = sorted(
                (TopicStats(entry_id=e, answers=answers.get(e, 0), votes=votes.get(e, [0, 0])[0],
                            helpful=votes.get(e, [0, 0])[1]) for e in {*map(str, answers), *votes}),
                key=lambda t: (-t.votes, -t.answers, t.entry_id))
            where: list[Any] = [Query.created_at >= since, Query.abstained.is_(True)]
            if not include_triage:
                where.append(Query.entry_point != "triage")
            groups = session.execute(
                select(Query.text_key, func.count(), func.max(Query.created_at)).where(*where)
                .group_by(Query.text_key).order_by(func.count().desc(), func.max(Query.created_at).desc())
                .limit(limit)).all()
            unmatched = []
            for key, count, last in groups:
                sample = session.scalar(select(Query.text).where(*where, Query.text_key == key)
                                        .order_by(Query.created_at.desc()).limit(1)) or ""
                unmatched.append(UnmatchedText(text=sample, count=int(count), last_asked=float(last)))
            corrections = tuple(
                CorrectionCount(answered_id=str(answered), chosen_id=str(chosen), count=int(count))
                for answered, chosen, count in session.execute(
                    select(Correction.answered_id, Correction.chosen_id, func.count())
                    .where(Correction.created_at >= since)
                    .group_by(Correction.answered_id, Correction.chosen_id)
                    .order_by(func.count().desc(), Correction.answered_id, Correction.chosen_id)).all())
        return Stats(queries=int(total), abstentions=int(abstentions), topics=tuple(topics),
                     unmatched=tuple(unmatched), corrections=corrections)


def stored_text(text: str) -> str:
    """The part of an asked text the history keeps: cut first, then redacted, then cut again.

    Redaction costs time in proportion to its input, so a 200 KB paste is cut before
    it is redacted; the margin lets a secret that crosses the cut still match its rule
    (an unterminated PEM block or a ``token:`` value is masked even when cut).
    """
    return redact(text[:MAX_STORED_TEXT + REDACT_MARGIN])[:MAX_STORED_TEXT]


def _record(row: Query) -> QueryRecord:
    try:
        result = json.loads(row.result or "{}")
    except ValueError:
        result = {}
    return QueryRecord(
        id=row.id, created_at=row.created_at, entry_point=row.entry_point, channel_id=row.channel_id,
        user_id=row.user_id, message_ts=row.message_ts, thread_ts=row.thread_ts, text=row.text, lang=row.lang,
        entry_id=row.entry_id, confidence=row.confidence, score=row.score, abstained=row.abstained,
        answered=row.answered, result=result if isinstance(result, dict) else {},
    )


def _json_dict(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def open_store(url: str, *, claim_ttl: float = 86_400.0) -> Store:
    """Open the store at an SQLAlchemy URL and migrate its schema to the current revision.

    Raises:
        ConfigError: The URL is invalid or its driver is missing.
        sqlalchemy.exc.SQLAlchemyError: The database cannot be reached.
    """
    store = Store(open_engine(url), claim_ttl=claim_ttl)
    store.create_schema()
    return store


def open_existing_store(url: str) -> Store:
    """Open a store that must already exist, for read-only commands: nothing is created.

    Raises:
        ConfigError: There is no store at ``url`` (no SQLite file, or no k8sfix tables), or the URL is
            invalid or its driver is missing.
        sqlalchemy.exc.SQLAlchemyError: The database cannot be reached.
    """
    from pathlib import Path

    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:  # open_engine below names the problem
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise ConfigError("K8SFIX_DB_URL: an in-memory SQLite store is empty; name the bot's store file")
        path = database.removeprefix("file:").split("?", 1)[0]
        if not Path(path).expanduser().is_file():
            raise ConfigError(f"there is no k8sfix store at {path}: the bot creates it when `k8sfix serve` "
                              "first starts; pass --db or set K8SFIX_DB_URL / K8SFIX_DB_PATH to the bot's store")
        # A read-only URI: even a store that exists is never written to by a reading command.
        url = f"sqlite:///{Path(path).expanduser().resolve().as_uri()}?mode=ro&uri=true"
    store = Store(open_engine(url))
    if not inspect(store.engine).has_table(Query.__tablename__):
        shown = parsed.render_as_string(hide_password=True) if parsed is not None else "the database"
        store.close()
        raise ConfigError(f"{shown} holds no k8sfix store (no {Query.__tablename__} table)")
    return store
