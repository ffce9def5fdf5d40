"""Render the Block Kit templates (jinja2, under ``templates/``) to blocks and text.

Templates produce JSON; every value reaches them through a filter that escapes
it for its place: ``mrkdwn`` (Slack's ``&``, ``<``, ``>``), ``code`` (also breaks
code fences), ``plain(n)`` (plain_text, clipped) and ``json`` (a JSON string).
Pasted text therefore cannot ping ``@channel``, forge a link or end a code block.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ELLIPSIS = "…"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")


def escape_mrkdwn(text: Any) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_code(text: Any) -> str:
    """Escape for the inside of a code block: mrkdwn escapes, and no backtick run that closes the fence."""
    return escape_mrkdwn(text).replace("```", "`\u200b`\u200b`")


def clip_plain(text: Any, limit: int) -> str:
    """Shorten plain text to ``limit`` characters, ending with an ellipsis when cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def channel_link(channel_id: Any) -> str:
    """``<#C123>`` for a channel id, the escaped text for anything that is not one."""
    text = str(channel_id)
    return f"<#{text}>" if _CHANNEL_ID.match(text) else escape_mrkdwn(text)


def to_json(value: Any) -> str:
    """A JSON literal of ``value`` (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False)


@cache
def environment() -> Environment:
    """The jinja2 environment of the Slack templates."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(mrkdwn=escape_mrkdwn, code=escape_code, plain=clip_plain, json=to_json,
                       channel_link=channel_link)
    return env


def render_blocks(template: str, **context: Any) -> list[dict[str, Any]]:
    """Render ``<template>.json.j2`` to a list of blocks.

    Raises:
        ValueError: The template produced invalid JSON (a template bug).
    """
    raw = environment().get_template(f"{template}.json.j2").render(**context)
    try:
        blocks = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"template {template}.json.j2 produced invalid JSON: {exc}") from exc
    if not isinstance(blocks, list):
        raise ValueError(f"template {template}.json.j2 must produce a JSON array of blocks")
    return blocks


def render_text(template: str, **context: Any) -> str:
    """Render ``<template>.txt.j2`` to plain text."""
    return environment().get_template(f"{template}.txt.j2").render(**context).strip() + "\n"
