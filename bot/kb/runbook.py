"""Read a Markdown runbook in the prometheus-operator/runbooks shape as an entry.

The shape: optional YAML front matter, a ``#`` title, then ``## Meaning``,
``## Impact``, ``## Diagnosis`` and ``## Mitigation``. The file name is the id;
inline code and code blocks under Meaning are the signatures, code blocks under
Diagnosis and Mitigation become diagnose and fix commands.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import Problem, UnsafeInputError
from bot.kb.models import KINDS, Cause, Command, Entry, Source, Text
from bot.kb.yaml_entry import ID_PATTERN, LANG_PATTERN
from bot.safe_read import load_yaml

SECTIONS = ("meaning", "impact", "diagnosis", "mitigation")
FRONT_STRINGS = ("title", "lang", "kind", "document")
FRONT_LISTS = ("alerts", "checks", "related", "tags")
# Runbooks are user input: every pattern is linear (a heading's trailing spaces and
# closing hashes are stripped in code, not by competing quantifiers).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})[ \t]+([^\n]*)$", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d{1,9}\.)[ \t])")
_LIST_MARK = re.compile(r"^(?:[-*+]|\d{1,9}\.)[ \t]+")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def parse_runbook(source: str, file: str, entry_id: str) -> tuple[Entry | None, list[Problem]]:
    """Turn one Markdown runbook into an Entry; return it (or None) with its problems."""
    problems: list[Problem] = []
    front: dict[str, Any] = {}
    body = source
    m = _FRONT_MATTER.match(source)
    if m:
        try:
            loaded = load_yaml(m.group(1))
        except UnsafeInputError as exc:
            return None, [Problem(file, f"front matter ({exc.where})", exc.message)]
        if loaded is not None and not isinstance(loaded, dict):
            return None, [Problem(file, "front matter", "must be a mapping")]
        front = loaded or {}
        body = source[m.end():]
        problems += _front_matter_problems(front, file)

    if not ID_PATTERN.match(entry_id):
        problems.append(Problem(file, "id", f"file name {entry_id!r} must be lower-case words joined by '-'"))
    lang = str(front.get("lang", "en"))
    if not LANG_PATTERN.match(lang):
        problems.append(Problem(file, "front matter.lang", f"{lang!r} is not a two-letter language code"))

    title, sections, repeated = _split_sections(body)
    problems += [Problem(file, f"## {name.title()}", "section appears twice") for name in repeated]
    title = str(front.get("title") or title or "").strip()
    if not title:
        problems.append(Problem(file, "title", "needs a '# Title' heading or a title in the front matter"))
    for name in ("meaning", "mitigation"):
        if not sections.get(name, "").strip():
            problems.append(Problem(file, f"## {name.title()}", "section is missing or empty"))
    if problems:
        return None, problems

    meaning = sections["meaning"]
    blocks, outside = _code_blocks(meaning)
    signatures = tuple(dict.fromkeys(
        s.strip() for s in [*blocks, *_INLINE_CODE.findall(outside)] if s.strip()
    ))
    prose = _prose(meaning)
    fix_steps = tuple(_prose_lines(sections["mitigation"])) or (_prose(sections["mitigation"]),)
    text = Text(
        title=title,
        symptoms=tuple(_prose_lines(meaning)) or (title,),
        impact=_prose(sections.get("impact", "")),
        causes=(Cause(prose or title, fix_steps),),
    )
    entry = Entry(
        id=entry_id,
        kind=str(front.get("kind", "symptom")),
        text={lang: text},
        signatures=signatures,
        alerts=tuple(str(a) for a in _as_list(front.get("alerts"))),
        diagnose=_commands(sections.get("diagnosis", ""), lang),
        fix=_commands(sections["mitigation"], lang),
        checks=tuple(str(c) for c in _as_list(front.get("checks"))),
        related=tuple(str(r) for r in _as_list(front.get("related"))),
        tags=tuple(str(t) for t in _as_list(front.get("tags"))),
        sources=(Source(file=file.rsplit("/", 1)[-1], section=title, document=str(front.get("document", ""))),),
        path=file,
    )
    return entry, []


def _front_matter_problems(front: dict[Any, Any], file: str) -> list[Problem]:
    """Wrong types in the front matter: each field a string, or a list of strings (one string is a list of one)."""
    problems = []
    for key, value in front.items():
        where = f"front matter.{key}"
        if key in FRONT_STRINGS:
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(file, where, f"must be a non-empty string, got {type(value).__name__}"))
        elif key in FRONT_LISTS:
            items = _as_list(value)
            if not all(isinstance(item, str) and item.strip() for item in items):
                problems.append(Problem(file, where, "must be a string or a list of strings"))
        else:
            known = ", ".join((*FRONT_STRINGS, *FRONT_LISTS))
            problems.append(Problem(file, where, f"unknown field (expected one of {known})"))
    kind = front.get("kind")
    if isinstance(kind, str) and kind.strip() and kind not in KINDS:
        problems.append(Problem(file, "front matter.kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
    return problems


def _split_sections(body: str) -> tuple[str, dict[str, str], list[str]]:
    title = ""
    sections: dict[str, str] = {}
    repeated: list[str] = []
    headings = [(h, name) for h in _HEADING.finditer(body) if (name := h.group(2).strip().rstrip("#").strip())]
    for i, (h, name) in enumerate(headings):
        end = headings[i + 1][0].start() if i + 1 < len(headings) else len(body)
        if len(h.group(1)) == 1 and not title:
            title = name
        elif name.lower() in SECTIONS:
            if name.lower() in sections:
                repeated.append(name.lower())
            sections[name.lower()] = body[h.end():end]
    return title, sections, repeated


def _code_blocks(markdown: str) -> tuple[list[str], str]:
    """The fenced code blocks of ``markdown`` and the text around them, in one linear scan.

    A fence opens at a triple backtick, its info string runs to the end of the line, and the
    block ends at the next triple backtick (an unclosed fence is text). A regex with a lazy
    body rescans the rest of the text from every unclosed fence.
    """
    blocks: list[str] = []
    outside: list[str] = []
    pos = 0
    while True:
        start = markdown.find("```", pos)
        newline = markdown.find("\n", start + 3) if start >= 0 else -1
        end = markdown.find("```", newline + 1) if newline >= 0 else -1
        if end < 0:
            outside.append(markdown[pos:])
            return blocks, "".join(outside)
        outside.append(markdown[pos:start])
        blocks.append(markdown[newline + 1:end])
        pos = end + 3


def _prose(markdown: str) -> str:
    """The section's text without code blocks, joined into one paragraph."""
    return " ".join(_prose_lines(markdown))


def _prose_lines(markdown: str) -> list[str]:
    text = _code_blocks(markdown)[1]
    lines = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        cleaned = _LIST_MARK.sub("", paragraph.strip())
        cleaned = " ".join(cleaned.split())
        if cleaned:
            lines.append(cleaned)
    return lines


def _commands(markdown: str, lang: str) -> tuple[Command, ...]:
    out = []
    for block in _code_blocks(markdown)[0]:
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(Command(run=line.removeprefix("$ "), purpose={lang: ""}))
    return tuple(out)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
