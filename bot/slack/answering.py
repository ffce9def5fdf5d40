"""From a question to a ready Slack message: match, pick the language, record, compose, log.

Everything here is independent of how the question arrived; the flows in
:mod:`bot.slack.flows` and :mod:`bot.slack.triage` deliver the result.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Literal

from slack_sdk import WebClient

from bot.matching.types import MatchResult
from bot.ops.logs import text_digest
from bot.redact import redact
from bot.slack import messages
from bot.slack.compose import AnswerOptions, SlackMessage, Surface, compose_diagnosis, compose_help, compose_notice
from bot.slack.deps import Deps
from bot.slack.diagnosis import Diagnosis
from bot.slack.language import choose_language, display_language_of_locale, looks_like_log
from bot.slack.paste import limit_paste, looks_binary, without_control
from bot.store import NewQuery

ReplyKind = Literal["help", "answer", "abstain", "lookup", "unreadable"]
HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage", "ajuda", "помощь", "帮助", "幫助"})
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,127}$")
DEBUG_TEXT_CHARS = 500
PENDING_TEXT_CHARS = 16_000
"""Characters of a question kept (redacted) with its pending delivery, to answer it after a restart."""


@dataclass(frozen=True)
class Ask:
    """One question as it reached the app (``text`` is untrusted plain text)."""

    entry_point: str
    """command, mention, dm, shortcut or triage."""
    text: str
    user_id: str = ""
    channel_id: str = ""
    message_ts: str = ""
    thread_ts: str = ""
    started: float = field(default_factory=time.monotonic)
    delivery: str = ""
    """Key of the Slack delivery it came with (see :mod:`bot.slack.deliveries`), "" for none."""


@dataclass(frozen=True)
class Reply:
    """What to send back, and what was concluded."""

    kind: ReplyKind
    message: SlackMessage
    lang: str
    query_id: str | None = None
    diagnosis: Diagnosis | None = None


def user_language(deps: Deps, client: WebClient, user_id: str) -> str:
    """The display language of a user's Slack locale, English when unknown."""
    return display_language_of_locale(deps.locales.get(client, user_id)) or "en"


def remember(deps: Deps, ask: Ask, flow: str, response_url: str = "", *, force: bool = False) -> None:
    """Keep the question (cut, then redacted) with its pending delivery until it is answered.

    A replica that takes the delivery over after this process died answers from it
    (``flow`` says how: command, thread or triage). Skipped when the raw text kept at
    the ack already holds the whole question, unless ``force`` (the question is not
    the delivered message's own text, e.g. a thread's first message).
    """
    if not ask.delivery or (not force and deps.deliveries.kept_whole(ask.delivery, len(ask.text))):
        return
    text, _cut = limit_paste(ask.text, PENDING_TEXT_CHARS)
    fields = {"entry_point": ask.entry_point, "text": redact(text), "user_id": ask.user_id,
              "channel_id": ask.channel_id, "message_ts": ask.message_ts, "thread_ts": ask.thread_ts}
    deps.deliveries.remember(ask.delivery, {"flow": flow, "ask": fields, "response_url": response_url})


def delivered(deps: Deps, ask: Ask) -> None:
    """The answer is out: mark the delivery done now, before reactions and logs.

    A crash after this point cannot make a replica answer it again.
    """
    if ask.delivery:
        deps.deliveries.finish(ask.delivery)


def run_match(deps: Deps, text: str) -> tuple[MatchResult, bool]:
    """Match ``text`` (cut to the paste limit); return the result and whether the text was cut."""
    with deps.cpu:
        text, cut = limit_paste(without_control(text), deps.settings.max_paste_chars)
        started = time.perf_counter()
        result = deps.matcher.match(text, top=3)
        deps.metrics.match_seconds.observe(time.perf_counter() - started)
    return result, cut


def prepare_reply(deps: Deps, ask: Ask, client: WebClient, surface: Surface) -> Reply:
    """Answer ``ask``: usage, a direct entry, a match or an abstention, recorded in the store."""
    deps.metrics.queries.labels(ask.entry_point).inc()
    text = ask.text.strip()
    if looks_binary(text):
        lang = user_language(deps, client, ask.user_id)
        return Reply("unreadable", compose_notice(messages.unreadable(lang)), lang)
    if not text or text.lower() in HELP_WORDS:
        lang = user_language(deps, client, ask.user_id)
        example = next(iter(deps.matcher.kb.entries), "kube-proxy-conntrack-missing")
        return Reply("help", compose_help(lang, deps.settings.slash_command, example), lang)
    if ENTRY_ID.match(text) and deps.matcher.kb.get(text) is not None:
        lang = user_language(deps, client, ask.user_id)
        return _reply(deps, ask, Diagnosis.lookup(text), lang, surface)
    result, cut = run_match(deps, text)
    diagnosis = Diagnosis.from_result(result, paste_cut=cut)
    lang = choose_language(result.query_lang, lambda: deps.locales.get(client, ask.user_id),
                           log_only=looks_like_log(text))
    return _reply(deps, ask, diagnosis, lang, surface)


def _reply(deps: Deps, ask: Ask, diagnosis: Diagnosis, lang: str, surface: Surface) -> Reply:
    qid = record(deps, ask, diagnosis, lang, answered=True)
    options = AnswerOptions(qid=qid, surface=surface,
                            checks_enabled=deps.checks_offered(surface, ask.user_id, ask.channel_id),
                            full_text_in_dm=surface == "ephemeral",
                            paste_cut_chars=deps.settings.max_paste_chars)
    with deps.cpu:
        message = compose_diagnosis(diagnosis, deps.matcher.kb, lang, options)
    if message.full_text:
        deps.metrics.truncated.inc()
    kind: ReplyKind = "abstain" if diagnosis.best is None else diagnosis.kind
    return Reply(kind, message, lang, qid, diagnosis)


def record(deps: Deps, ask: Ask, diagnosis: Diagnosis, lang: str, *, answered: bool) -> str:
    """Store the question and what was concluded; count it in the metrics; return the query id."""
    best = diagnosis.best
    top = diagnosis.candidates[0] if diagnosis.candidates else None
    if best is not None:
        deps.metrics.matches.labels(best.entry_id, best.confidence).inc()
    else:
        deps.metrics.abstentions.labels(ask.entry_point).inc()
    query = NewQuery(
        entry_point=ask.entry_point, text=ask.text, lang=lang, channel_id=ask.channel_id, user_id=ask.user_id,
        message_ts=ask.message_ts, thread_ts=ask.thread_ts,
        entry_id=best.entry_id if best is not None else None,
        confidence=top.confidence if top is not None else None,
        score=top.score if top is not None else None,
        abstained=best is None, answered=answered, result=diagnosis.to_dict(), delivery=ask.delivery,
    )
    with deps.cpu:
        return deps.store.record_query(query, now=deps.clock())


def finish(deps: Deps, ask: Ask, reply: Reply, **extra: object) -> None:
    """Count the answer's latency and write its log line, once it was delivered."""
    deps.metrics.answer_seconds.labels(ask.entry_point).observe(time.monotonic() - ask.started)
    log_request(deps, ask, reply.kind, reply.lang, reply.diagnosis, **extra)


def log_request(deps: Deps, ask: Ask, kind: str, lang: str, diagnosis: Diagnosis | None = None,
                **extra: object) -> None:
    """One structured log line per question; the text only as a hash unless debug logging is on."""
    top = diagnosis.candidates[0] if diagnosis is not None and diagnosis.candidates else None
    fields: dict[str, object] = {
        "entry_point": ask.entry_point,
        "kind": kind,
        "topic": top.entry_id if top is not None and kind != "abstain" else None,
        "confidence": top.confidence if top is not None else None,
        "lang": lang,
        "latency_ms": round((time.monotonic() - ask.started) * 1000, 1),
        "text_hash": text_digest(ask.text),
        "text_chars": len(ask.text),
        "channel": ask.channel_id,
        **extra,
    }
    if deps.settings.debug:
        fields["text"] = redact(ask.text[:DEBUG_TEXT_CHARS])
    deps.logger.info("request", extra=fields)
