"""Turn what Slack delivers into the plain text the matcher reads.

Slack escapes ``&``, ``<`` and ``>``, wraps links and mentions in ``<...>`` and
keeps code fences. The result is untrusted: it is only ever matched, never
executed or put into a command.
"""

from __future__ import annotations

import re

from bot.matching.clean import limit_paste as limit_paste
from bot.matching.clean import looks_binary as looks_binary
from bot.matching.clean import without_control as without_control

# Linear on any text: a link or label cannot contain "<", so no attempt rescans past the next one.
_LINK = re.compile(r"<((?:https?|mailto|ftp):[^|<>]{0,4000})(?:\|([^<>]{0,400}))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]{1,40})(?:\|[^<>]{0,400})?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]{1,40})(?:\|([^<>]{0,400}))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^<>]{0,400})?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]{1,40}(?:\|([^<>]{0,400}))?>")
_FENCE = re.compile(r"```")


def slack_to_plain(text: str, bot_user_id: str | None = None) -> str:
    """Plain text of a Slack message: links and mentions unwrapped, the bot's own mention removed."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^<>]{{0,400}})?>", " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _USER.sub(lambda m: "@" + m.group(1), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: m.group(1) or "@team", text)
    text = _FENCE.sub("\n", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


def message_text(message: dict[str, object]) -> str:
    """All readable text of a message: its text, legacy attachments (alert posts) and section blocks.

    Alertmanager and other bots often post an empty ``text`` with the alert in
    ``attachments``; the blocks are read only when nothing else holds text.
    """
    parts: list[str] = []
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        parts.append(text)
    for attachment in _dicts(message.get("attachments")):
        for key in ("pretext", "title", "text"):
            value = attachment.get(key)
            if isinstance(value, str) and value.strip():
                parts.append(value)
        for field in _dicts(attachment.get("fields")):
            title, value = field.get("title"), field.get("value")
            parts.append(": ".join(str(v) for v in (title, value) if v))
        if not any(isinstance(attachment.get(k), str) and attachment.get(k) for k in ("title", "text")):
            fallback = attachment.get("fallback")
            if isinstance(fallback, str):
                parts.append(fallback)
    if not parts:
        for block in _dicts(message.get("blocks")):
            block_text = block.get("text")
            if isinstance(block_text, dict) and isinstance(block_text.get("text"), str):
                parts.append(str(block_text["text"]))
            for field in _dicts(block.get("fields")):
                if isinstance(field.get("text"), str):
                    parts.append(str(field["text"]))
    return "\n".join(p for p in parts if p)


def _dicts(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
