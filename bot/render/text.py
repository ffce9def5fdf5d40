"""Plain-text answers for the terminal, from the templates in ``templates/``."""

from __future__ import annotations

from functools import cache

import jinja2

from bot.kb.models import Entry
from bot.matching.chinese import to_traditional
from bot.matching.types import Match, MatchResult, answer_language
from bot.render.strings import ui


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.render", "templates"),
        autoescape=False,  # plain text for a terminal; Slack output has its own escaping
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


def _localise(text: str, display_lang: str) -> str:
    """Chinese answers are written Simplified; Traditional askers get them converted."""
    return to_traditional(text) if display_lang == "zh-Hant" else text


def render_result(result: MatchResult, display_lang: str | None = None) -> str:
    """The answer to a match: best entry with cause, fix and commands, or the closest topics."""
    display = display_lang or result.query_lang
    lang = answer_language(display)
    template = _environment().get_template("answer.txt.j2")
    text = template.render(result=result, lang=lang, ui=ui(lang), show_confidence=True)
    return _localise(text.strip("\n"), display)


def render_entry(entry: Entry, display_lang: str = "en") -> str:
    """One entry in full, as ``k8sfix kb show`` prints it."""
    lang = answer_language(display_lang)
    shown = Match(entry=entry, score=1.0, confidence="high", evidence=())
    template = _environment().get_template("entry.txt.j2")
    text = template.render(best=shown, lang=lang, ui=ui(lang), show_confidence=False)
    return _localise(text.strip("\n"), display_lang)
