"""Replace the variable parts of a log line so that only its shape is compared.

The rules are data, applied in order, most specific first (as Drain3 does):
a klog header before its timestamp, an IP before the numbers inside it, numbers
last. Look-arounds keep tokens such as ``Win32``, ``k8s`` or ``v1`` intact. Runs of
spaces (aligned table columns) fold to one.

Every rule is linear in its input: repeats are bounded and no quantified group can
split the same characters two ways (an IPv6 group is hex digits *between* colons), so
a run of ``a-a-a-`` or ``ffff:ffff:`` costs a constant per character.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.matching.literals import needs_digit, required_literals

MASKING_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\b[IWEF]\d{4}\s+\d{2}:\d{2}:\d{2}\.\d+\s+\d+\s+[\w.\-]+:\d+\]"), "<klog>"),
    (re.compile(r"\b\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<ts>"),
    (re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\b"), "<ts>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<ts>"),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"), "<ts>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    # A quoted image reference ("docker.io/team/web:1.25.9") is a name: its registry host is kept.
    (re.compile(r'(?<=")(?:([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+(?::\d{1,5})?)/)?[a-z0-9][a-z0-9._-]{0,127}'
                r'(?:/[a-z0-9][a-z0-9._-]{0,127}){0,8}(?::\w[\w.-]{0,127}|@sha256:[0-9a-f]{64})(?=")'),
     lambda m: f"{m.group(1)}/<image>" if m.group(1) else "<image>"),
    (re.compile(r"(?<![\w:.])(?:[0-9a-fA-F]{1,4}:){1,7}:?[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6}(?![\w:])"
                r"|(?<![\w:])::[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6}(?![\w:])"), "<ip>"),
    (re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?:/\d{1,2})?(?![\w.])"), "<ip>"),
    (re.compile(r"\b([a-z][a-z0-9]{0,62}(?:-[a-z0-9]{1,63}){0,6}?)-(?=[a-z0-9]{0,9}\d)[a-z0-9]{6,10}-[a-z0-9]{5}\b"),
     r"\1-<hash>"),
    (re.compile(r"\b([a-z][a-z0-9]{0,62}(?:-[a-z0-9]{1,63}){0,6}?)-(?=[a-z]{0,4}\d)[a-z0-9]{5}\b"), r"\1-<hash>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{10,}\b"), "<hex>"),
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:ms|s|m|h|d)(?![\w.])"), "<dur>"),
    # HTTP status codes and the exit codes of killed containers say what went wrong: kept as words.
    (re.compile(r"(?<![\w.])(?!(?:40[1349]|429|50[0234]|13[79]|143)(?![\w.]))[-+]?\d+(?:\.\d+)?(?![\w.])"),
     "<num>"),
    (re.compile(r"[ \t]{2,}"), " "),
)

MASK_TOKENS = frozenset({"<klog>", "<ts>", "<uuid>", "<image>", "<ip>", "<hex>", "<hash>", "<dur>", "<num>"})


_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], frozenset[str] | None]
_RULES: tuple[_Rule, ...] = tuple((p, r, required_literals(p)) for p, r in MASKING_RULES)
_RULES_WITHOUT_DIGITS = tuple(rule for rule in _RULES if not needs_digit(rule[0]))
"""The rules that can match a line without a digit: no placeholder adds one, so such a line needs only these."""
_DIGIT = re.compile(r"\d")


def mask(line: str) -> str:
    """Return ``line`` with every variable part replaced by its placeholder.

    A rule none of whose literals is in the line cannot match it and is not run.
    """
    for pattern, placeholder, literals in _RULES if _DIGIT.search(line) else _RULES_WITHOUT_DIGITS:
        if literals is None or any(lit in line for lit in literals):
            line = pattern.sub(placeholder, line)
    return line


_RUNS_ON = re.compile(r"(?:[IWEF]\d{4}|\.\d+(?:\s+\d+)?|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                      r"(?:\s+\d{1,2})?)\s*$")
"""A line end after which a klog header or a syslog time may go on: each of their spaces follows one of these."""


def mask_lines(text: str, memo: dict[str, str]) -> str:
    r""":func:`mask` of ``text``, worked out line by line through ``memo`` where that gives the same text.

    The units of one query (the whole text, its prose, its lines) repeat the same lines, and
    ``memo`` masks each once. Only the klog and syslog rules can match across a line break
    (their ``\s+``); when no line ends as the start of one of them does (:data:`_RUNS_ON`), no
    rule reaches past its line, every look-around sees a line break as it sees the text's ends,
    and masking line by line is masking the whole.
    """
    lines = text.split("\n")
    if len(lines) > 1 and any(_RUNS_ON.search(line) for line in lines[:-1]):
        return mask(text)
    out = []
    for line in lines:
        found = memo.get(line)
        if found is None:
            found = memo[line] = mask(line)
        out.append(found)
    return "\n".join(out)


def mask_every_rule(line: str) -> str:
    """:func:`mask` running every rule in turn: the definition that :func:`mask` must equal."""
    for pattern, placeholder in MASKING_RULES:
        line = pattern.sub(placeholder, line)
    return line
