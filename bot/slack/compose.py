"""Build Slack messages (fallback text, blocks within limits, full text) from a diagnosis.

The view functions turn KB entries into the plain values the templates expect,
in the display language (Traditional Chinese converted from the Simplified KB
text); the compose functions render a template and fit it into Slack's limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.kb.loader import KnowledgeBase
from bot.kb.models import Entry
from bot.matching.chinese import to_traditional
from bot.redact import redact
from bot.render.confidence import reason_key
from bot.render.strings import reason_text
from bot.slack import messages
from bot.slack.diagnosis import Diagnosis
from bot.slack.language import kb_language
from bot.slack.limits import fit_blocks
from bot.slack.render import clip_plain, escape_mrkdwn, render_blocks, render_text
from bot.slack.texts import LANGUAGE_NAMES, labels
from bot.slack.topics import by_area, find_topics

Surface = Literal["ephemeral", "thread", "channel"]
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
MAX_TOPIC_BUTTONS = 5
MAX_CANDIDATES = 4
"""Topics offered after "Not helpful" (one more button says none of them)."""
MAX_VIEW_BLOCKS = 100
"""Slack's limit on the blocks of a view."""


@dataclass(frozen=True)
class SlackMessage:
    """A message ready for chat.postMessage, chat.update or response_url."""

    text: str
    """Fallback text for notifications and screen readers."""
    blocks: list[dict[str, Any]]
    full_text: str | None = None
    """The whole answer as plain text, set when the blocks had to be shortened."""

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for the Web API or ``respond``."""
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True)
class AnswerOptions:
    """How an answer is shown: where, with which buttons."""

    qid: str
    surface: Surface = "thread"
    checks_enabled: bool = False
    """Offer "Run cluster checks" (for a topic with checks): everyone who sees the answer may run them."""
    shared_by: str | None = None
    full_text_in_dm: bool = False
    """The full text of a shortened answer goes to the asker's DM (answers only they can see)."""
    paste_cut_chars: int = 0
    extra_notes: tuple[str, ...] = field(default=())


def _converter(lang: str) -> Callable[[str], str]:
    return to_traditional if lang == "zh-Hant" else str


def entry_title(entry: Entry, lang: str) -> str:
    """The entry's title in a display language."""
    return _converter(lang)(entry.text_in(kb_language(lang)).title)


def topic_view(kb: KnowledgeBase, entry_id: str, lang: str, **extra: Any) -> dict[str, Any] | None:
    """``{"id", "title", ...extra}`` for a topic button, None when the entry is gone."""
    entry = kb.get(entry_id)
    return None if entry is None else {"id": entry.id, "title": entry_title(entry, lang), **extra}


def entry_view(entry: Entry, lang: str, kb: KnowledgeBase, cause_order: tuple[int, ...] = ()) -> dict[str, Any]:
    """Everything the answer templates show about an entry, in the display language, causes in ``cause_order``."""
    kl, conv = kb_language(lang), _converter(lang)
    text = entry.text_in(kl)
    related = [topic_view(kb, rid, lang) for rid in entry.related]
    return {
        "id": entry.id,
        "title": conv(text.title),
        "impact": conv(text.impact),
        "causes": [{"cause": conv(c.cause), "fix": [conv(step) for step in c.fix]}
                   for c in text.causes_in_order(cause_order)],
        "diagnose": [{"run": c.run, "purpose": conv(c.purpose_in(kl))} for c in entry.diagnose],
        "fix": [{"run": c.run, "purpose": conv(c.purpose_in(kl))} for c in entry.fix],
        "sources": [{"label": s.label}
                    for s in entry.sources[:2]],
        "related": [r for r in related if r is not None][:MAX_TOPIC_BUTTONS],
        "has_checks": bool(entry.checks),
    }


def compose_diagnosis(diagnosis: Diagnosis, kb: KnowledgeBase, lang: str, options: AnswerOptions) -> SlackMessage:
    """The message for a diagnosis: an answer, or an abstention with the closest topics."""
    best = diagnosis.best
    entry = kb.get(best.entry_id) if best is not None else None
    if best is None or entry is None:
        return compose_abstain(diagnosis, kb, lang, options)
    t = labels(lang)
    notes = list(options.extra_notes)
    if diagnosis.paste_cut and options.paste_cut_chars:
        notes.append(t["paste_cut"].replace("{chars}", str(options.paste_cut_chars)))
    view = entry_view(entry, lang, kb, best.causes)
    match = None if diagnosis.kind == "lookup" else {
        "confidence": best.confidence, "percent": round(best.score * 100), "evidence": list(best.evidence),
        "reason": _reason(diagnosis, kb, lang)}
    alternatives = [] if diagnosis.kind == "lookup" else [
        v for c in diagnosis.candidates[1:3]
        if c.entry_id != entry.id and (v := topic_view(kb, c.entry_id, lang, confidence=c.confidence)) is not None]
    findings = [v for fid in diagnosis.findings if (v := topic_view(kb, fid, lang)) is not None]
    context = {
        "t": t, "lang": lang, "languages": LANGUAGE_NAMES, "qid": options.qid, "entry": view, "match": match,
        "alternatives": alternatives, "findings": findings, "shared_by": _user(options.shared_by),
        "note": "\n".join(notes) or None,
        "buttons": {"post": options.surface == "ephemeral", "feedback": True,
                    "checks": options.checks_enabled and view["has_checks"], "language": True},
    }
    blocks = render_blocks("answer", **context)
    notice = _note_block(t["truncated_dm"] if options.full_text_in_dm else t["truncated"])
    fitted = fit_blocks(blocks, notice)
    full_text = render_text("answer", **context) if fitted.truncated else None
    return SlackMessage(text=f"k8sfix: {clip_plain(view['title'], 200)}", blocks=fitted.blocks, full_text=full_text)


def _reason(diagnosis: Diagnosis, kb: KnowledgeBase, lang: str) -> str | None:
    """Why the answer's band is not high ("two topics fit equally: ..."), None for a high band."""
    best = diagnosis.candidates[0]
    second = diagnosis.candidates[1] if len(diagnosis.candidates) > 1 else None
    key = reason_key(best.score, best.confidence, second.score if second is not None else None)
    if diagnosis.siblings and second is not None:
        key = "siblings"
    if best.confidence == "high":
        return None
    other = kb.get(second.entry_id) if second is not None else None
    title = entry_title(other, lang) if other is not None else ""
    text = reason_text(kb_language(lang), key, other=title, other_id=other.id if other is not None else "")
    return _converter(lang)(text)


def compose_abstain(diagnosis: Diagnosis, kb: KnowledgeBase, lang: str, options: AnswerOptions) -> SlackMessage:
    """Nothing fits: say so and offer the closest topics as buttons."""
    t = labels(lang)
    closest = [v for c in diagnosis.candidates[:3] if (v := topic_view(kb, c.entry_id, lang)) is not None]
    notes = list(options.extra_notes)
    if diagnosis.paste_cut and options.paste_cut_chars:
        notes.append(t["paste_cut"].replace("{chars}", str(options.paste_cut_chars)))
    blocks = render_blocks("abstain", t=t, lang=lang, qid=options.qid, closest=closest,
                           note="\n".join(notes) or None)
    return SlackMessage(text=f"k8sfix: {t['abstain_title']}", blocks=fit_blocks(blocks, _note_block("…")).blocks)


def compose_help(lang: str, command: str, example_id: str) -> SlackMessage:
    """Usage of every entry point."""
    t = labels(lang)
    blocks = render_blocks("help", t=t, command=command, example_id=example_id)
    return SlackMessage(text=t["help_title"], blocks=blocks)


def _area_views(kb: KnowledgeBase, entries: list[Entry], lang: str) -> list[dict[str, Any]]:
    t = labels(lang)
    return [{"label": t[f"area_{area.key}"], "topics": [{"id": e.id, "title": entry_title(e, lang)}
                                                        for e in area.entries]}
            for area in by_area(entries)]


def compose_topic_list(kb: KnowledgeBase, lang: str, command: str, word: str | None = None) -> SlackMessage:
    """``/k8sfix list [word]``: the topics (holding ``word``) grouped by area, or why there are none."""
    t = labels(lang)
    word = clip_plain(word, 40) if word else None
    entries = find_topics(kb, word)
    title = t["topics_matching"].replace("{word}", word) if word else t["topics_title"]
    empty = (t["topics_none"].replace("{word}", escape_mrkdwn(word)).replace("{command}", command)
             if word and not entries else None)
    footer = t["topics_footer"].replace("{command}", command).replace("{count}", str(len(entries)))
    blocks = render_blocks("topics", t=t, title=title, areas=_area_views(kb, entries, lang), footer=footer,
                           empty=empty)
    return SlackMessage(text=f"k8sfix: {title}", blocks=fit_blocks(blocks, _note_block("…")).blocks)


def compose_home(kb: KnowledgeBase, lang: str, command: str, channels: Iterable[str]) -> dict[str, Any]:
    """The App Home view (for ``views.publish``): usage, triage channels, the KB's topics by area."""
    t = labels(lang)
    entries = find_topics(kb)
    example = entries[0].id if entries else "kube-proxy-conntrack-missing"
    blocks = render_blocks("home", t=t, command=command, example_id=example,
                           areas=_area_views(kb, entries, lang), count=len(entries), channels=sorted(channels))
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def compose_candidates(diagnosis: Diagnosis, kb: KnowledgeBase, lang: str, qid: str) -> SlackMessage:
    """After "Not helpful": the other candidates and the answer's related topics to pick from."""
    t = labels(lang)
    best = diagnosis.candidates[0].entry_id if diagnosis.candidates else None
    answered = kb.get(best) if best else None
    ids = [c.entry_id for c in diagnosis.candidates[1:]] + list(answered.related if answered else ())
    topics = [v for i in dict.fromkeys(ids) if i != best and (v := topic_view(kb, i, lang)) is not None]
    blocks = render_blocks("candidates", t=t, qid=qid, topics=topics[:MAX_CANDIDATES])
    return SlackMessage(text=f"k8sfix: {t['wrong_title']}", blocks=blocks)


def compose_repeat(entry: Entry, lang: str, permalink: str) -> SlackMessage:
    """The short triage reply for a topic already answered in the channel within the window."""
    t = labels(lang)
    view = {"id": entry.id, "title": entry_title(entry, lang)}
    blocks = render_blocks("triage_repeat", t=t, entry=view, permalink=_safe_link(permalink))
    return SlackMessage(text=f"k8sfix: {clip_plain(view['title'], 200)}", blocks=blocks)


def compose_notice(text: str) -> SlackMessage:
    """A one-section message for a sentence from :mod:`bot.slack.messages`."""
    return SlackMessage(text=text, blocks=render_blocks("notice", text=text))


def compose_apology(lang: str = "en") -> SlackMessage:
    """The short apology posted when a handler failed."""
    return compose_notice(messages.apology(lang))


def compose_checks_report(entry: Entry, lang: str, cluster: str, elapsed: float, results: Iterable[Any], *,
                          full_text_in_dm: bool = False) -> SlackMessage:
    """The results of a check run; summaries and evidence are redacted again before they are shown.

    When the blocks had to be shortened, ``full_text`` holds the whole report for
    upload, and the notice says where it goes: attached next to the report, or (for
    a report only the clicking user sees, ``full_text_in_dm``) to their DM.
    """
    t = labels(lang)
    view = {"id": entry.id, "title": entry_title(entry, lang)}
    rows = [{"status": str(r.status), "check_id": str(r.check_id), "summary": redact(str(r.summary)),
             "evidence": [redact(str(e))[:400] for e in tuple(r.evidence)[:5]]} for r in results]
    context = {"t": t, "entry": view, "cluster": redact(cluster), "elapsed": f"{elapsed:.1f}", "results": rows}
    blocks = render_blocks("checks_report", **context)
    fitted = fit_blocks(blocks, _note_block(t["checks_truncated_dm" if full_text_in_dm else "checks_truncated"]))
    full_text = render_text("checks_report", **context) if fitted.truncated else None
    return SlackMessage(text=f"k8sfix: {t['checks_title']}", blocks=fitted.blocks, full_text=full_text)


def _note_block(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": f":scissors: {text}"}]}


def _user(user_id: str | None) -> str | None:
    return user_id if user_id and USER_ID.match(user_id) else None


def _safe_link(url: str) -> str:
    return url if url.startswith(("https://", "http://")) and not any(c in url for c in "|<> ") else ""
