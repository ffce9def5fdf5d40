"""Tell a regex cannot match a text from a plain substring test, before running it.

A case-insensitive alternation of words (the platform evidence, an entry's ``needs``) is
slow on a long paste: the engine tries every alternative at every position. Most of its
matches must contain one of a few literals (``probe`` for ``(Liveness|Startup) probe failed``),
and ``str.__contains__`` finds a literal in a few microseconds. A :class:`Gate` reads those
literals from the parsed pattern once; when none is in the text, the pattern cannot match and
is not run. Otherwise the pattern itself decides, so the answer is always the pattern's.

Case-insensitive literals are compared with the lower-cased text. For an ASCII text ``str.lower``
folds exactly as the engine does; a text of other scripts is compared only with ASCII literals,
once the four other characters the engine matches with ASCII letters (the Kelvin sign, the long s,
the dotless i and the dotted I) are made ASCII too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

Literals = frozenset[str]


GATE_MIN_CHARS = 256
"""Texts shorter than this run the pattern at once: it is fast there, and a process answering one short
question (the CLI) then never parses a pattern for its literals."""

_UNSET: Any = object()


class Gate:
    """A pattern (compiled on first use) and the literals one of which each of its matches contains.

    A pattern that is one alternation (``dns|nslookup|resolv``) is also kept as its alternatives, each
    with its own literals: a long text then runs only the alternatives whose literals it holds, not
    the whole alternation at every position because one of them occurs.
    """

    __slots__ = ("_alternatives", "_literals", "_pattern", "_source")

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self._source = pattern
        self._pattern: re.Pattern[str] | None = pattern if isinstance(pattern, re.Pattern) else None
        self._literals: Literals | None = _UNSET
        self._alternatives: tuple[tuple[re.Pattern[str], Literals | None], ...] | None = _UNSET

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled pattern."""
        if self._pattern is None:
            self._pattern = re.compile(self._source)
        return self._pattern

    @property
    def literals(self) -> Literals | None:
        """The literals read from the pattern (None when none is required of every match)."""
        if self._literals is _UNSET:
            self._literals = required_literals(self.pattern)
        return self._literals

    @property
    def alternatives(self) -> tuple[tuple[re.Pattern[str], Literals | None], ...] | None:
        """The alternatives of a pattern that is one alternation, each compiled with its literals, or None."""
        if self._alternatives is _UNSET:
            self._alternatives = _alternatives_of(self.pattern)
        return self._alternatives

    def search(self, text: str) -> bool:
        """Whether ``pattern.search(text)`` finds a match."""
        if len(text) < GATE_MIN_CHARS:
            return self.pattern.search(text) is not None
        folded = bool(self.pattern.flags & re.IGNORECASE)
        # Folded literals hold for a text of other scripts too, when they are ASCII (see _ASCII_TWINS).
        keep: Callable[[Literals | None], Literals | None] = (
            _ascii_only if folded and not text.isascii() else _as_is)
        seen = _folded(text) if folded else text
        literals = keep(self.literals)
        if literals is not None and not any(lit in seen for lit in literals):
            return False
        alternatives = self.alternatives
        if alternatives is None:
            return self.pattern.search(text) is not None
        for part, lits in alternatives:
            wanted = keep(lits)
            if (wanted is None or any(lit in seen for lit in wanted)) and part.search(text) is not None:
                return True
        return False


_ASCII_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"})
"""The only characters besides ASCII letters that a case-insensitive pattern matches with an ASCII letter
(and no other character lower-cases to ASCII): made ASCII, a text holds every folded ASCII literal of a match."""


@lru_cache(maxsize=16)
def _folded(text: str) -> str:
    """One folding per text, however many gates test it: lower-cased, twins of ASCII letters made ASCII."""
    return text.translate(_ASCII_TWINS).lower()


def _ascii_only(literals: Literals | None) -> Literals | None:
    """``literals`` when all are ASCII, else None: a non-ASCII one may match characters lower-casing misses."""
    return literals if literals is not None and all(lit.isascii() for lit in literals) else None


def _as_is(literals: Literals | None) -> Literals | None:
    return literals


MIN_ALTERNATIVES = 4
"""An alternation of fewer alternatives is run whole: splitting it saves little."""


def _alternatives_of(pattern: re.Pattern[str]) -> tuple[tuple[re.Pattern[str], Literals | None], ...] | None:
    """The top-level alternatives of ``pattern``, compiled with its flags, or None when it is not one alternation.

    A text matches an alternation exactly when it matches one of its alternatives, as long as no
    alternative refers to a group of another (a backreference or a conditional): such patterns,
    and any whose source does not split into the parsed alternatives, are kept whole.
    """
    if pattern.flags & (re.LOCALE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return None
    items = list(parsed)
    if len(items) != 1 or items[0][0] != sre.BRANCH or _refers_to_groups(items):
        return None
    pieces = _split_top_level(pattern.pattern)
    if pieces is None or len(pieces) != len(items[0][1][1]) or len(pieces) < MIN_ALTERNATIVES:
        return None
    try:
        compiled = [re.compile(piece, pattern.flags) for piece in pieces]
    except re.error:
        return None
    return tuple((part, required_literals(part)) for part in compiled)


def _refers_to_groups(items: list[tuple[Any, Any]]) -> bool:
    """Whether a parsed pattern holds a backreference or a group conditional anywhere."""
    for op, av in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return True
        children = av if isinstance(av, (list, tuple)) else [av]
        for child in children:
            if isinstance(child, sre_parse.SubPattern) and _refers_to_groups(list(child)):
                return True
            if isinstance(child, (list, tuple)):
                subs = [c for c in child if isinstance(c, sre_parse.SubPattern)]
                if any(_refers_to_groups(list(sub)) for sub in subs):
                    return True
    return False


def _split_top_level(source: str) -> list[str] | None:
    """``source`` cut at each ``|`` outside groups, character classes and escapes.

    A leading inline flag group stays with the first piece; every piece is compiled with the
    pattern's flags, which hold it.
    """
    pieces, start, depth, k, in_class = [], 0, 0, 0, False
    while k < len(source):
        char = source[k]
        if char == "\\":
            k += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            k += 1
            k += source[k:k + 1] == "^"
            k += source[k:k + 1] == "]"  # a "]" right after the opening is a member
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(source[start:k])
            start = k + 1
        k += 1
    pieces.append(source[start:])
    return pieces if depth == 0 and not in_class else None


def required_literals(pattern: re.Pattern[str]) -> Literals | None:
    """Literals one of which every match of ``pattern`` contains (lower-cased if it ignores case), or None."""
    if pattern.flags & (re.LOCALE | re.VERBOSE):
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return None
    return _of_sequence(list(parsed), bool(parsed.state.flags & re.IGNORECASE))


def _of_sequence(items: list[tuple[Any, Any]], folded: bool) -> Literals | None:
    """The most selective requirement among the parts a sequence must match one after another."""
    found: list[Literals] = []
    run: list[str] = []

    def close() -> None:
        if run:
            found.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        char = _literal_char(op, av, folded)
        if char is not None:
            run.append(char)
            continue
        close()
        inner = _of_item(op, av, folded)
        if inner is not None:
            found.append(inner)
    close()
    if not found:
        return None
    return max(found, key=lambda lits: (min(len(x) for x in lits), -len(lits)))


def _literal_char(op: Any, av: Any, folded: bool) -> str | None:
    """The character a LITERAL node stands for as compared with the text, or None."""
    if op != sre.LITERAL:
        return None
    char = chr(av)
    if not folded:
        return char
    if char.isascii():
        return char.lower()
    if any(c.isascii() for c in char.lower() + char.upper()):
        return None
    # A non-ASCII letter never matches an ASCII text, the only kind compared folded.
    return char


def _of_item(op: Any, av: Any, folded: bool) -> Literals | None:
    if op == sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if (add_flags | del_flags) & (re.IGNORECASE | re.LOCALE):
            return None
        return _of_sequence(list(sub), folded)
    if op == sre.ATOMIC_GROUP:
        return _of_sequence(list(av), folded)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _of_sequence(list(sub), folded) if low >= 1 else None
    if op == sre.BRANCH:
        alternatives = [_of_sequence(list(sub), folded) for sub in av[1]]
        if any(a is None for a in alternatives):
            return None
        return frozenset().union(*(a for a in alternatives if a is not None))
    if op == sre.ASSERT:
        # What a positive look-around sees is in the text too (it is only not part of the match).
        return _of_sequence(list(av[1]), folded)
    return None


def needs_digit(pattern: re.Pattern[str]) -> bool:
    """True when every match of ``pattern`` holds a decimal digit: a text without one cannot match."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):
        return False
    return _digit_in_sequence(list(parsed))


def _digit_in_sequence(items: list[tuple[Any, Any]]) -> bool:
    return any(_digit_in_item(op, av) for op, av in items)


def _digit_in_item(op: Any, av: Any) -> bool:
    if op == sre.LITERAL:
        return chr(av).isdigit() and chr(av).isascii()
    if op == sre.IN:
        return bool(av) and all(_digit_member(member_op, member_av) for member_op, member_av in av)
    if op == sre.SUBPATTERN:
        return _digit_in_sequence(list(av[3]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return av[0] >= 1 and _digit_in_sequence(list(av[2]))
    if op == sre.BRANCH:
        return all(_digit_in_sequence(list(sub)) for sub in av[1])
    if op == sre.ASSERT:
        return _digit_in_sequence(list(av[1]))
    return False


def _digit_member(op: Any, av: Any) -> bool:
    r"""A member of a character class that only digits match: ``\d``, ``[0-9]`` or a digit."""
    if op == sre.CATEGORY:
        return bool(av == sre.CATEGORY_DIGIT)
    if op == sre.RANGE:
        return 48 <= av[0] <= av[1] <= 57
    if op == sre.LITERAL:
        return 48 <= av <= 57
    return False
