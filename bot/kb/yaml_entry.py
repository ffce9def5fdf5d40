"""Parse and validate one YAML entry file into an :class:`Entry`.

Validation collects every problem with the file and the dotted field path, so a
maintainer fixes a broken file in one pass; nothing loads half-way.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import Problem
from bot.kb.models import COMMAND_GROUPS, KINDS, Cause, Command, Entry, Needs, NotWhen, Source, Text

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_PATTERN = re.compile(r"^[a-z]{2}$")


class _Collector:
    """Reads typed fields out of plain YAML data, recording problems instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def string(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}{key}", "is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}{key}", f"must be a non-empty string, got {type(value).__name__}")
            return ""
        return value.strip()

    def strings(self, data: dict[str, Any], key: str, where: str, *, required: bool = False) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}{key}", "is required")
            return ()
        if not isinstance(value, list):
            self.fail(f"{where}{key}", f"must be a list of strings, got {type(value).__name__}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{where}{key}[{i}]", "must be a non-empty string")
            else:
                out.append(item.strip())
        if required and not out:
            self.fail(f"{where}{key}", "must not be empty")
        return tuple(out)

    def only(self, item: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
        """Report the first key of ``item`` that is not one of ``allowed``."""
        unknown = set(map(str, item)) - set(allowed)
        if unknown:
            self.fail(f"{where}{sorted(unknown)[0]}", f"unknown field (expected {', '.join(allowed)})")

    def mapping(self, data: dict[str, Any], key: str, where: str, *, required: bool = True) -> dict[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}{key}", "is required")
            return {}
        if not isinstance(value, dict):
            self.fail(f"{where}{key}", f"must be a mapping, got {type(value).__name__}")
            return {}
        return value


def parse_entry(data: Any, file: str, expected_id: str) -> tuple[Entry | None, list[Problem]]:
    """Turn YAML data into an Entry; return it (or None) with every problem found."""
    c = _Collector(file)
    if not isinstance(data, dict):
        c.fail("(top level)", f"must be a mapping, got {type(data).__name__}")
        return None, c.problems

    entry_id = c.string(data, "id", "")
    if entry_id and not ID_PATTERN.match(entry_id):
        c.fail("id", f"{entry_id!r} must be lower-case words joined by '-'")
    if entry_id and entry_id != expected_id:
        c.fail("id", f"{entry_id!r} does not match the file name {expected_id!r}")

    kind = c.string(data, "kind", "")
    if kind and kind not in KINDS:
        c.fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")

    texts = _parse_texts(c, data)
    diagnose, fix = _parse_commands(c, data)
    sources = _parse_sources(c, data)
    signatures, distinctive = _parse_signatures(c, data)
    not_when = tuple(NotWhen(p, w) for p, w in _parse_rules(c, data, "not_when"))
    needs = tuple(Needs(p, w) for p, w in _parse_rules(c, data, "needs"))
    related = c.strings(data, "related", "")
    for i, rel in enumerate(related):
        if not ID_PATTERN.match(rel):
            c.fail(f"related[{i}]", f"{rel!r} is not a valid entry id")

    known = {"id", "kind", "text", "signatures", "alerts", "commands", "checks", "related",
             "tags", "sources", "beyond_source", "not_when", "needs"}
    for key in data:
        if key not in known:
            c.fail(str(key), f"unknown field (expected one of {', '.join(sorted(known))})")

    alerts = c.strings(data, "alerts", "")
    checks = c.strings(data, "checks", "")
    tags = c.strings(data, "tags", "")
    beyond = c.strings(data, "beyond_source", "")
    if c.problems:
        return None, c.problems
    entry = Entry(
        id=entry_id,
        kind=kind,
        text=texts,
        signatures=signatures,
        distinctive=distinctive,
        not_when=not_when,
        needs=needs,
        alerts=alerts,
        diagnose=diagnose,
        fix=fix,
        checks=checks,
        related=related,
        tags=tags,
        sources=sources,
        beyond_source=beyond,
        path=file,
    )
    return entry, c.problems


def _parse_texts(c: _Collector, data: dict[str, Any]) -> dict[str, Text]:
    raw = c.mapping(data, "text", "")
    if not raw and "text" in data and isinstance(data["text"], dict):
        c.fail("text", "must hold at least one language")
    texts: dict[str, Text] = {}
    cause_counts: dict[str, int] = {}
    for lang, body in raw.items():
        where = f"text.{lang}."
        if not isinstance(lang, str) or not LANG_PATTERN.match(lang):
            c.fail(f"text.{lang}", "language must be a two-letter code such as en, pt, ru, zh")
            continue
        if not isinstance(body, dict):
            c.fail(f"text.{lang}", "must be a mapping with title, symptoms, impact, causes")
            continue
        causes = []
        raw_causes = body.get("causes")
        if not isinstance(raw_causes, list) or not raw_causes:
            c.fail(f"{where}causes", "must be a non-empty list of {cause, fix}")
        else:
            for i, item in enumerate(raw_causes):
                if not isinstance(item, dict):
                    c.fail(f"{where}causes[{i}]", "must be a mapping with cause and fix")
                    continue
                cause = c.string(item, "cause", f"{where}causes[{i}].")
                steps = c.strings(item, "fix", f"{where}causes[{i}].", required=True)
                causes.append(Cause(cause, steps))
        cause_counts[lang] = len(causes)
        texts[lang] = Text(
            title=c.string(body, "title", where),
            symptoms=c.strings(body, "symptoms", where, required=True),
            impact=c.string(body, "impact", where),
            causes=tuple(causes),
        )
    if len(set(cause_counts.values())) > 1:
        counts = ", ".join(f"{k}={v}" for k, v in cause_counts.items())
        c.fail("text.*.causes", f"every language must list the same causes ({counts})")
    return texts


def _parse_commands(c: _Collector, data: dict[str, Any]) -> tuple[tuple[Command, ...], tuple[Command, ...]]:
    raw = c.mapping(data, "commands", "", required=False)
    groups: dict[str, list[Command]] = {g: [] for g in COMMAND_GROUPS}
    for group, items in raw.items():
        if group not in COMMAND_GROUPS:
            c.fail(f"commands.{group}", f"unknown group (expected {' or '.join(COMMAND_GROUPS)})")
            continue
        if not isinstance(items, list):
            c.fail(f"commands.{group}", "must be a list")
            continue
        for i, item in enumerate(items):
            where = f"commands.{group}[{i}]."
            if not isinstance(item, dict):
                c.fail(f"commands.{group}[{i}]", "must be a mapping with run and purpose")
                continue
            run = c.string(item, "run", where)
            purpose = c.mapping(item, "purpose", where)
            for lang, text in purpose.items():
                if not isinstance(text, str) or not text.strip():
                    c.fail(f"{where}purpose.{lang}", "must be a non-empty string")
            beyond = item.get("beyond_source", False)
            if not isinstance(beyond, bool):
                c.fail(f"{where}beyond_source", "must be true or false")
            groups[group].append(Command(run, {k: str(v).strip() for k, v in purpose.items()}, bool(beyond)))
    return tuple(groups["diagnose"]), tuple(groups["fix"])


def _parse_signatures(c: _Collector, data: dict[str, Any]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Signatures are strings, or ``{text, distinctive}`` where ``distinctive`` is a substring of ``text``."""
    raw = data.get("signatures")
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        c.fail("signatures", f"must be a list, got {type(raw).__name__}")
        return (), ()
    texts: list[str] = []
    parts: list[tuple[str, str]] = []
    for i, item in enumerate(raw):
        if isinstance(item, str) and item.strip():
            texts.append(item.strip())
            continue
        if not isinstance(item, dict):
            c.fail(f"signatures[{i}]", "must be a non-empty string or a mapping with text and distinctive")
            continue
        c.only(item, ("text", "distinctive"), f"signatures[{i}].")
        text = c.string(item, "text", f"signatures[{i}].")
        part = c.string(item, "distinctive", f"signatures[{i}].")
        if text and part and part not in text:
            c.fail(f"signatures[{i}].distinctive", f"{part!r} is not part of the signature text")
        if text:
            texts.append(text)
            if part:
                parts.append((text, part))
    return tuple(texts), tuple(parts)


def _parse_rules(c: _Collector, data: dict[str, Any], field: str) -> list[tuple[str, str]]:
    """``not_when`` and ``needs`` list ``{pattern, why}``: a regex (``(?i)`` for any case) and its reason."""
    raw = data.get(field)
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.fail(field, f"must be a list of {{pattern, why}}, got {type(raw).__name__}")
        return []
    out: list[tuple[str, str]] = []
    for i, item in enumerate(raw):
        where = f"{field}[{i}]."
        if not isinstance(item, dict):
            c.fail(f"{field}[{i}]", "must be a mapping with pattern and why")
            continue
        c.only(item, ("pattern", "why"), where)
        pattern = c.string(item, "pattern", where)
        why = c.string(item, "why", where)
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                c.fail(f"{where}pattern", f"is not a valid regular expression: {exc}")
                continue
        if pattern and why:
            out.append((pattern, why))
    return out


def _parse_sources(c: _Collector, data: dict[str, Any]) -> tuple[Source, ...]:
    """A source is a document section (``file``, ``section``) or a component and reason."""
    raw = data.get("sources")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.fail("sources", "must be a list of {file, section, document} or {component, reason}")
        return ()
    out = []
    for i, item in enumerate(raw):
        where = f"sources[{i}]."
        if not isinstance(item, dict):
            c.fail(f"sources[{i}]", "must be a mapping with file and section, or component and reason")
            continue
        if "file" in item or "component" not in item:
            c.only(item, ("file", "section", "document"), where)
            out.append(Source(
                file=c.string(item, "file", where),
                section=c.string(item, "section", where),
                document=c.string(item, "document", where, required=False),
            ))
        else:
            c.only(item, ("component", "reason"), where)
            out.append(Source(
                component=c.string(item, "component", where),
                reason=c.string(item, "reason", where),
            ))
    return tuple(out)
