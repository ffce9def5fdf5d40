"""Label and field selectors evaluated locally, as the API server would (snapshot reads)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"[-A-Za-z0-9_.]*"
_SET_RULE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s+\(([-A-Za-z0-9_.,\s]*)\)\s*$")
_EQ_RULE = re.compile(rf"^\s*({_KEY})\s*(==|=|!=)\s*({_VALUE})\s*$")
_EXISTS_RULE = re.compile(rf"^\s*(!?)({_KEY})\s*$")
_FIELD_RULE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9.]*)\s*(==|=|!=)\s*([^\s,]*)\s*$")

Predicate = Callable[[Mapping[str, Any]], bool]


def _split_requirements(selector: str) -> list[str]:
    """Split on commas that are not inside ``(...)``."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _equals(key: str, value: str, *, negate: bool) -> Predicate:
    return lambda labels: (labels.get(key) == value) != negate


def _member(key: str, values: frozenset[str], *, negate: bool) -> Predicate:
    return lambda labels: (labels.get(key) in values) != negate


def _exists(key: str, *, negate: bool) -> Predicate:
    return lambda labels: (key in labels) != negate


def _field_equals(path: str, value: str, *, negate: bool) -> Predicate:
    return lambda obj: (_field_value(obj, path) == value) != negate


def label_predicate(selector: str | None) -> Predicate:
    """A function of a labels mapping that is True when the labels match ``selector``.

    Raises:
        ValueError: ``selector`` is not a valid label selector.
    """
    rules: list[Predicate] = []
    for requirement in _split_requirements(selector or ""):
        if m := _SET_RULE.match(requirement):
            key, op, raw = m.group(1), m.group(2), m.group(3)
            values = frozenset(v.strip() for v in raw.split(",") if v.strip())
            rules.append(_member(key, values, negate=op == "notin"))
        elif m := _EQ_RULE.match(requirement):
            rules.append(_equals(m.group(1), m.group(3), negate=m.group(2) == "!="))
        elif m := _EXISTS_RULE.match(requirement):
            rules.append(_exists(m.group(2), negate=m.group(1) == "!"))
        else:
            raise ValueError(f"invalid label selector requirement {requirement!r}")
    return lambda labels: all(rule(labels) for rule in rules)


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_predicate(selector: str | None) -> Predicate:
    """A function of a whole object that is True when it matches field ``selector``.

    Raises:
        ValueError: ``selector`` is not a valid field selector.
    """
    rules: list[Predicate] = []
    for requirement in _split_requirements(selector or ""):
        m = _FIELD_RULE.match(requirement)
        if not m:
            raise ValueError(f"invalid field selector requirement {requirement!r}")
        rules.append(_field_equals(m.group(1), m.group(3), negate=m.group(2) == "!="))
    return lambda obj: all(rule(obj) for rule in rules)


def selector_matches(selector: Mapping[str, str] | None, labels: Mapping[str, str] | None) -> bool:
    """True when every ``key: value`` of a map selector (a Service's) is in ``labels``.

    An empty or missing selector selects nothing, as for a Service.
    """
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())
