"""Turn text as it arrives (Slack markup, terminal colours, JSON logs) into plain lines.

Cleaning keeps every character that carries meaning and drops only transport
noise, so the evidence lines shown back to the user still read like their paste.
Secrets are masked here too (:mod:`bot.redact`): everything downstream, from the
units scored to the evidence shown, reads the redacted text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

from bot.redact import redact

MAX_LINE_CHARS = 2_000
"""Longer lines are cut: no log line that identifies an error needs more."""

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u3000\t]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]+")
# Every pattern here runs on untrusted text, so each is linear: classes are bounded and
# exclude the character that opens the next attempt (``<``), so no start rescans the text.
_FENCE = re.compile(r"^[ \t]*```[\w-]{0,40}[ \t]*$|```", re.MULTILINE)
_SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp)://[^|<>\s]{0,4000}|mailto:[^|<>\s]{0,400})(?:\|([^<>\n]{0,400}))?>")
_SLACK_REF = re.compile(r"<([@#!])([^|<>\n]{0,200})(?:\|([^<>\n]{0,400}))?>")
# Emphasis patterns open with their mark and look back past it ("_(?<!\w_)", not "(?<!\w)_"): the same
# matches, but the engine scans for the mark instead of trying the look-behind at every character.
_BOLD = re.compile(r"\*(?<![\w*]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"_(?<!\w_)(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w])")
_STRIKE = re.compile(r"~(?<![\w~]~)(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_QUOTE_PREFIX = re.compile(r"^&gt;\s?|^>\s?", re.MULTILINE)
_ESCAPED_NEWLINE = re.compile(r"(?:\\r)?\\n")
_JSON_MESSAGE_KEYS = ("msg", "message", "log", "error", "err", "stack_trace", "exception", "reason")


def clean_text(raw: str) -> str:
    """Return ``raw`` as plain text lines, without markup, escapes or control characters."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text) if "\x1b" in text else text
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = unslack(text)
    text = unicodedata.normalize("NFKC", text)
    lines = [line for raw_line in text.split("\n") for line in _unwrap_json(raw_line)]
    # Secrets go before anything reads the text: no unit, evidence line or finding can echo one.
    lines = redact("\n".join(lines)).split("\n")
    return "\n".join(line.rstrip()[:MAX_LINE_CHARS] for line in lines).strip("\n")


def unslack(text: str) -> str:
    """Undo Slack's message formatting: links, mentions, entities, fences, emphasis.

    A rule whose every match holds a character the text lacks is not run (a long log has no fences).
    """
    if "<" in text:
        text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
        text = _SLACK_REF.sub(_slack_ref, text)
    if ">" in text or "&gt;" in text:
        text = _QUOTE_PREFIX.sub("", text)
    text = html.unescape(text) if "&" in text else text
    if "```" in text:
        text = _FENCE.sub("", text)
    for mark, pattern in (("*", _BOLD), ("_", _ITALIC), ("~", _STRIKE)):
        if mark in text:
            text = pattern.sub(r"\1", text)
    return text


def _slack_ref(m: re.Match[str]) -> str:
    kind, target, label = m.group(1), m.group(2), m.group(3)
    if kind == "#":
        return f"#{label or target}"
    if kind == "@":
        return f"@{label}" if label else ""
    return ""


def _unwrap_json(line: str) -> list[str]:
    """A JSON log record becomes its message lines; escaped newlines become real ones."""
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            record = json.loads(stripped)
        except (ValueError, RecursionError):
            # Deeply nested arrays exhaust the parser's stack: such a line is kept as text.
            record = None
        if isinstance(record, dict):
            parts = [str(record[k]) for k in _JSON_MESSAGE_KEYS if isinstance(record.get(k), str | int)]
            if parts:
                return [p for part in parts for p in part.split("\n")]
    if '\\"' in line or line.count("\\n") >= 2:
        # Redacted while still escaped: unescaping first would end a quoted secret at its first \".
        line = _ESCAPED_NEWLINE.sub("\n", redact(line)).replace('\\"', '"').replace("\\t", " ")
        return line.split("\n")
    return [line]


def limit_paste(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut ``text`` to its first quarter and last three quarters of ``max_chars`` on line breaks.

    The error of a log is usually near its end and the command that failed near its
    start. Returns the text and whether it was cut.
    """
    if len(text) <= max_chars:
        return text, False
    head_size, tail_size = max_chars // 4, max_chars - max_chars // 4
    head = text[:head_size]
    head = head[: head.rfind("\n")] if "\n" in head else head
    tail = text[-tail_size:]
    tail = tail[tail.find("\n") + 1:] if "\n" in tail else tail
    return f"{head}\n{tail}", True


_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BINARY_SHARE = 0.10
"""A text whose share of control and replacement characters exceeds this is binary junk."""


def without_control(text: str) -> str:
    """``text`` with control characters (other than newline and tab) removed."""
    return _CONTROL_CHAR.sub("", text)


def looks_binary(text: str) -> bool:
    """Whether ``text`` is mostly control or undecodable characters (a binary file, not a paste)."""
    sample = text[:20_000]
    if not sample:
        return False
    junk = len(_CONTROL_CHAR.findall(sample)) + sample.count("\ufffd")
    return junk / len(sample) > BINARY_SHARE


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes) -> str:
    """Text of a file or upload: UTF-8 (a byte-order mark dropped), or UTF-16 when it starts with its mark.

    Windows PowerShell 5 writes redirected output (``kubectl logs POD > log.txt``) as UTF-16
    with a mark; read as UTF-8 it would be all NUL bytes. Undecodable bytes become U+FFFD.
    """
    if data[:2] in _UTF16_BOMS:
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")
