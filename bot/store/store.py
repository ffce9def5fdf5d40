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
from typing import Any

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConfigError
from bot.redact import redact, redact_data
from bot.store.engine import open_engine
from bot.store.records import CorrectionCount, NewQuery, QueryRecord, Stats, TopicClaim, TopicStats, UnmatchedText
from bot.store.schema import Base, ChannelSetting, Claim, Correction, Feedback, Query, TopicThread
from bot.store.textkey import text_key

MAX_STORED_TEXT = 4000
"""Characters of an asked text kept in the history (after redaction)."""
REDACT_MARGIN = 2000
"""Characters read past the cut, so that a secret straddling it is seen whole by the rules."""
PRUNE_EVERY_S = 600.0


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
        """Create the tables that do not exist yet."""
        Base.metadata.create_all(self.engine)

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

    def claim(self, key: str, now: float | None = None) -> bool:
        """Claim ``key``; True for the first caller across every replica, False after that."""
        now = time.time() if now is None else now
        self._maybe_prune(now)
        with self._session() as session:
            session.add(Claim(key=key[:200], created_at=now))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

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
        """Store one question (its text redacted and shortened); return its id."""
        now = time.time() if now is None else now
        query_id = uuid.uuid4().hex
        clean = stored_text(query.text)
        row = Query(
            id=query_id, created_at=now, entry_point=query.entry_point, channel_id=query.channel_id,
            user_id=query.user_id, message_ts=query.message_ts, thread_ts=query.thread_ts,
            text=clean, text_key=text_key(clean), lang=query.lang,
            entry_id=query.entry_id, confidence=query.confidence, score=query.score,
            abstained=query.abstained, answered=query.answered,
            result=json.dumps(redact_data(query.result), ensure_ascii=False),
        )
        with self._session() as session:
            session.add(row)
            session.commit()
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


def open_store(url: str, *, claim_ttl: float = 86_400.0) -> Store:
    """Open the store at an SQLAlchemy URL and create missing tables.

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
