"""Terminal output: wrapping to the terminal's width with hanging indents, and colour.

Only a terminal gets either: a pipe, a file and ``--json`` get the plain text
unchanged, so scripts and ``grep`` see one line per item. ``NO_COLOR`` (any
non-empty value, see no-color.org) and ``TERM=dumb`` switch colour off.
Widths are counted in terminal cells: Chinese and Japanese characters take two.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

BOLD, GREEN, YELLOW, RED, DIM, RESET = "\x1b[1m", "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[2m", "\x1b[0m"
BAND_COLOURS = {"high": GREEN, "medium": YELLOW, "low": RED}
TABLE_WIDTH = 80
"""Tables printed to a pipe fit this many columns (``--json`` has every field in full)."""
MIN_WIDTH = 40
"""Below this a hanging indent leaves too little room: lines are left to the terminal."""

_WIDE = ("\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3"
         "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6")
_CHUNK = re.compile(rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+")
_LIST_MARKER = re.compile(r"^(\s*)(\d+\. |- |• |… )")
_LABEL = re.compile(r"^(\s*)[^\s:：$#][^:：]{0,40}[:：] ")
_COMMAND = re.compile(r"^(\s*)\$ (.*?)(?:    # (.*))?$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CLOSING = frozenset("，。、）：；！？」』】,.;:!?)")
"""Punctuation that never starts a line: it stays after the character it closes."""


@dataclass(frozen=True)
class Terminal:
    """How to print to one stream: wrap width (None: no wrapping) and whether to colour."""

    width: int | None
    colour: bool

    @classmethod
    def of(cls, stream: TextIO, environ: Mapping[str, str] | None = None) -> Terminal:
        """Plain for pipes and files; width and colour for a terminal."""
        env = os.environ if environ is None else environ
        try:
            tty = stream.isatty()
        except (ValueError, OSError):
            tty = False
        if not tty:
            return cls(width=None, colour=False)
        columns = shutil.get_terminal_size((80, 24)).columns
        colour = not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"
        return cls(width=columns if columns >= MIN_WIDTH else None, colour=colour)

    def paint(self, text: str, code: str) -> str:
        """``text`` in a colour (or bold), unchanged when colour is off."""
        return f"{code}{text}{RESET}" if self.colour and text else text

    def wrap(self, text: str) -> str:
        """Every line of ``text`` wrapped to the width (unchanged without one)."""
        if self.width is None:
            return text
        return "\n".join(out for line in text.split("\n") for out in wrap_line(line, self.width))


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in _ANSI.sub("", text))


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending with an ellipsis when cut."""
    if cells(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        size = cells(ch)
        if used + size > width - 1:
            break
        out, used = out + ch, used + size
    return out.rstrip() + "…"


def wrap_line(line: str, width: int) -> list[str]:
    """One line wrapped to ``width`` cells, continuation lines indented under the text they continue.

    A command (``$ ...    # purpose``) is never broken, so it still pastes as one: a purpose that
    does not fit goes above it as a wrapped ``#`` comment.
    """
    if cells(line) <= width:
        return [line]
    command = _COMMAND.match(line)
    if command:
        lead, run, purpose = command.groups()
        above = _fill(f"{lead}# {purpose}", width, len(lead) + 2) if purpose else []
        return [*above, f"{lead}$ {run}"]
    marker = _LIST_MARKER.match(line)
    if marker:
        hang = len(marker.group(1)) + len(marker.group(2))
    else:
        label = _LABEL.match(line)
        hang = len(label.group(1)) + 2 if label else len(line) - len(line.lstrip())
    return _fill(line, width, min(hang, width // 2))


def _fill(line: str, width: int, hang: int) -> list[str]:
    """Greedy fill: break at spaces, or between wide characters; a word longer than a line stays whole."""
    lines: list[str] = []
    current, used = "", 0
    indent = " " * hang
    for chunk in _CHUNK.findall(line):
        size = cells(chunk)
        if used + size <= width or not current.strip() or chunk in _CLOSING:
            current += chunk
            used += size
            continue
        lines.append(current.rstrip())
        if chunk.isspace():
            current, used = indent, hang
        else:
            current, used = indent + chunk, hang + size
    if current.strip():
        lines.append(current.rstrip())
    return lines or [line]


def style_answer(text: str, term: Terminal, band: str | None, confidence_label: str | None = None) -> str:
    """Colour an answer's title and confidence line, then wrap it.

    The title is bold (bold yellow for "no confident match"); the confidence line, when
    ``confidence_label`` names it, takes the band's colour.
    """
    if term.colour and text:
        lines = text.split("\n")
        lines[0] = term.paint(lines[0], BOLD if band else BOLD + YELLOW)
        prefix = f"{confidence_label}: "
        if band and confidence_label and len(lines) > 1 and lines[1].startswith(prefix):
            lines[1] = prefix + term.paint(lines[1][len(prefix):], BAND_COLOURS.get(band, ""))
        text = "\n".join(lines)
    return term.wrap(text)
