"""Plain-text answers for the terminal, from the templates in ``templates/``."""

from __future__ import annotations

from functools import cache

import jinja2

from bot.kb.models import Entry
from bot.matching.chinese import to_traditional
from bot.matching.types import Match, MatchResult, answer_language
from bot.render.confidence import confidence_reason
from bot.render.strings import REASONS, reason_text, ui

COMPACT_EVIDENCE = 2
COMPACT_COMMANDS = 2
COMPACT_PURPOSE_CHARS = 70
COMPACT_CAUSE_CHARS = 110
"""What the compact answer keeps: evidence lines, commands of each kind, characters of a command's
purpose and of each further cause (``entry.txt.j2`` receives them)."""
_LIMITS = {"evidence": COMPACT_EVIDENCE, "commands": COMPACT_COMMANDS, "purpose": COMPACT_PURPOSE_CHARS,
           "cause": COMPACT_CAUSE_CHARS}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.render", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=False,  # plain text for a terminal; Slack output has its own escaping
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's private cache folder: a CLI call skips compiling them.

    The files are marshalled code, so, like the index cache, they are used only from a folder that
    is ours and closed to everyone else; anything else means compiling in memory.
    """
    import os
    import stat

    from bot.matching.cache import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _localise(text: str, display_lang: str) -> str:
    """Chinese answers are written Simplified; Traditional askers get them converted."""
    return to_traditional(text) if display_lang == "zh-Hant" else text


def reason_of(result: MatchResult, lang: str) -> str:
    """The confidence reason of ``result``'s best match in a KB language, "" without matches."""
    reason = confidence_reason(result, lang)
    if reason.key == "no_match":
        return ""
    return reason_text(lang, reason.key, other=reason.runner_up_title or "", other_id=reason.runner_up_id or "")


def render_result(result: MatchResult, display_lang: str | None = None, *, full: bool = True,
                  top: int | None = None) -> str:
    """The answer to a match: best entry with cause, fix and commands, or the closest topics.

    Args:
        result: The match; ask the matcher for two or more matches so the reason can name a runner-up.
        display_lang: Answer language (the detected one when None).
        full: Every section; otherwise the compact answer that fits a terminal screen.
        top: How many ranked matches to list (all of ``result`` when None).
    """
    display = display_lang or result.query_lang
    lang = answer_language(display)
    template = _environment().get_template("answer.txt.j2")
    shown = result.matches[: top or len(result.matches)]
    best = result.best
    hint = reason_text(lang, "full_hint", id=best.entry.id) if best and not full and _is_cut(best, lang) else ""
    text = template.render(result=result, matches=shown, lang=lang, ui=ui(lang), show_confidence=True,
                           reason=reason_of(result, lang), full=full, hint=hint, limits=_LIMITS,
                           more=REASONS.get(lang, REASONS["en"]))
    return _localise(text.strip("\n"), display)


def _is_cut(best: Match, lang: str) -> bool:
    """Whether the compact answer leaves out part of the entry (same limits as ``entry.txt.j2``)."""
    entry = best.entry
    shown = (*entry.diagnose[:COMPACT_COMMANDS], *entry.fix[:COMPACT_COMMANDS])
    cut_command = any("\n" in c.run or len(c.purpose_in(lang)) > COMPACT_PURPOSE_CHARS for c in shown)
    return (len(best.evidence) > COMPACT_EVIDENCE or len(entry.text_in(lang).causes) > 1 or cut_command
            or len(entry.diagnose) > COMPACT_COMMANDS or len(entry.fix) > COMPACT_COMMANDS
            or bool(entry.related) or bool(entry.sources))


def render_entry(entry: Entry, display_lang: str = "en") -> str:
    """One entry in full, as ``k8sfix kb show`` prints it."""
    lang = answer_language(display_lang)
    shown = Match(entry=entry, score=1.0, confidence="high", evidence=())
    template = _environment().get_template("entry.txt.j2")
    text = template.render(best=shown, lang=lang, ui=ui(lang), show_confidence=False, reason="", full=True,
                           limits=_LIMITS, more=REASONS.get(lang, REASONS["en"]))
    return _localise(text.strip("\n"), display_lang)
