"""Read a Markdown runbook in the prometheus-operator/runbooks shape as an entry.

The shape: optional YAML front matter, a ``#`` title, then ``## Meaning``,
``## Impact``, ``## Diagnosis`` and ``## Mitigation``. The file name is the id;
inline code and code blocks under Meaning are the signatures, code blocks under
Diagnosis and Mitigation become diagnose and fix commands.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.errors import Problem
from bot.kb.models import Cause, Command, Entry, Source, Text
from bot.kb.yaml_entry import ID_PATTERN, LANG_PATTERN

SECTIONS = ("meaning", "impact", "diagnosis", "mitigation")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def parse_runbook(source: str, file: str, entry_id: str) -> tuple[Entry | None, list[Problem]]:
    """Turn one Markdown runbook into an Entry; return it (or None) with its problems."""
    problems: list[Problem] = []
    front: dict[str, Any] = {}
    body = source
    m = _FRONT_MATTER.match(source)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            return None, [Problem(file, "front matter", f"is not valid YAML: {exc}")]
        if loaded is not None and not isinstance(loaded, dict):
            return None, [Problem(file, "front matter", "must be a mapping")]
        front = loaded or {}
        body = source[m.end():]

    if not ID_PATTERN.match(entry_id):
        problems.append(Problem(file, "id", f"file name {entry_id!r} must be lower-case words joined by '-'"))
    lang = str(front.get("lang", "en"))
    if not LANG_PATTERN.match(lang):
        problems.append(Problem(file, "front matter.lang", f"{lang!r} is not a two-letter language code"))

    title, sections = _split_sections(body)
    title = str(front.get("title") or title or "").strip()
    if not title:
        problems.append(Problem(file, "title", "needs a '# Title' heading or a title in the front matter"))
    for name in ("meaning", "mitigation"):
        if not sections.get(name, "").strip():
            problems.append(Problem(file, f"## {name.title()}", "section is missing or empty"))
    if problems:
        return None, problems

    meaning = sections["meaning"]
    signatures = tuple(dict.fromkeys(
        s.strip() for s in [*_CODE_BLOCK.findall(meaning), *_INLINE_CODE.findall(_CODE_BLOCK.sub("", meaning))]
        if s.strip()
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


def _split_sections(body: str) -> tuple[str, dict[str, str]]:
    title = ""
    sections: dict[str, str] = {}
    headings = list(_HEADING.finditer(body))
    for i, h in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        name = h.group(2).strip()
        if len(h.group(1)) == 1 and not title:
            title = name
        elif name.lower() in SECTIONS:
            sections[name.lower()] = body[h.end():end]
    return title, sections


def _prose(markdown: str) -> str:
    """The section's text without code blocks, joined into one paragraph."""
    return " ".join(_prose_lines(markdown))


def _prose_lines(markdown: str) -> list[str]:
    text = _CODE_BLOCK.sub("", markdown)
    lines = []
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)", text):
        cleaned = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", paragraph.strip())
        cleaned = " ".join(cleaned.split())
        if cleaned:
            lines.append(cleaned)
    return lines


def _commands(markdown: str, lang: str) -> tuple[Command, ...]:
    out = []
    for block in _CODE_BLOCK.findall(markdown):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(Command(run=line.removeprefix("$ "), purpose={lang: ""}))
    return tuple(out)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
