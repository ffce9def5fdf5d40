"""The working side of a contrast: "the FQDN resolves, the short name does not".

Close siblings in the KB differ less in what fails than in what still works: a Service
that answers on its pod IP but not on its ClusterIP, a name that resolves on the node but
not in the pod, a full name that resolves where the short one does not. Bags of words lose
that: both sides of the sentence land in one bag. Where a line says that one thing fails
and another works, the words of the working clauses are also emitted as ``+word``
features, on the KB's symptoms and on the query alike, so "what works" meets "what works".
A line with no failing clause, or no working one, gives nothing: most text is unchanged.
Every pattern here reads normalised, lower-cased text (:func:`bot.matching.features.normalise`).
"""

from __future__ import annotations

import re

_CLAUSE_BREAK = re.compile(
    r"[,;!?，。；！？、]|[.:](?=\s|$)|\s[-–—]\s"
    r"|(?=\b(?:but|yet|while|whereas|however|although|though|instead|except|mas|porém|pero|но|однако|mais)\b)"
    r"|(?=但|却|而且|可是|けど|しかし|のに)",
)
"""Ends of clauses: punctuation (a dot or colon only before a space, so names keep their dots)
and the conjunctions that open a contrast, which stay with the clause they open."""

_FAILING = re.compile(
    r"\b(?:not|no(?! (?:problems?|issues?)\b)|never|cannot|can't|cant|couldn't|doesn't|don't|didn't|isn't|"
    r"aren't|won't|wasn't|"
    r"unable|fails?|failed|failing|nothing|nowhere|none)\b|n't\b|\bnxdomain\b|\btim(?:ed|es?) out\b|\btimeouts?\b"
    r"|\b(?:não|nao|nunca|nenhuma?|nada|nem|falh\w*|не|нет|ни|ne|pas|sans|таймаут\w*)\b|не\w*ся\b"
    r"|不(?!思議|思议|同|一|断|斷|仅|僅|过|過|久|少|多|管)|[没沒](?!有?(?:问题|問題|事))|[无無]"
    r"|失败|失敗|超时|できな|ません|ない|안 |못|없|실패",
)
"""Words that mark a clause as the failing side (negation, failure, a timeout)."""

_WORKING = re.compile(
    r"\b(?:works?|worked|resolves?|resolved|succeeds?|succeeded|reachable|responds?|responded|answers?|"
    r"answered|fine|ok|okay|instead|no problems?|no issues?)\b"
    r"|\bcan (?!you\b|i\b|we\b|someone\b|anyone\b|somebody\b|anybody\b|be\b)\w+"
    r"|\b(?:funciona\w*|resolve[mu]?|consegu\w*|responde\w*|работа\w*|резолв\w*|отвеча\w*|fonctionne\w*|marche)\b"
    r"|能|可以|正常|成功|没有?问题|沒有?問題|できる|できます|出来る|동작|됩니다|된다",
)
"""Words that mark a clause as the working side, when it has no failing word."""

WORKING_PREFIX = "+"


_ROMANCE = re.compile(r"\b(?:não|mas|pero|está|estão|funciona\w*|consegu\w*|também|para|com|uma?|os|el|los)\b")
"""Portuguese and Spanish words: there "no" is "in the" (no pod, no node), not a negation."""


def _says_it_fails(clause: str) -> bool:
    """A failing word in ``clause``; a bare "no" counts only where the clause is not Portuguese or Spanish."""
    first = _FAILING.search(clause)
    if first is None:
        return False
    if first.group(0) != "no" or not _ROMANCE.search(clause):
        return True
    return any(m.group(0) != "no" for m in _FAILING.finditer(clause, first.end()))


def says_something_works(text: str) -> bool:
    """Whether ``text`` has a working word at all: the cheap test before it is read clause by clause."""
    return _WORKING.search(text) is not None


def working_clauses(line: str) -> list[str]:
    """The clauses of ``line`` that say what works, when another clause of it says what fails."""
    if _WORKING.search(line) is None or _FAILING.search(line) is None:
        return []
    clauses = [c for c in _CLAUSE_BREAK.split(line) if c and not c.isspace()]
    if len(clauses) < 2:
        return []
    working, failing = [], False
    for clause in clauses:
        if _says_it_fails(clause):
            failing = True
        elif _WORKING.search(clause):
            working.append(clause)
    return working if failing else []


def is_marker(feature: str) -> bool:
    """A feature that only says "this works" (``works``, ``fine``): it tells no sibling apart."""
    return bool(_WORKING.fullmatch(feature)) or (feature[:1] == "#" and bool(_WORKING.search(feature)))


_LOG_LINE = re.compile(r"<(?:klog|ts)>|^\s*(?:[EWIF]\d{4}\b|\d{4}-\d\d-\d\d|\[|\{|\$|#|>)")
"""A log line, a prompt or a quoted block: its "ok" or "success" reports a step, not a contrast."""
MAX_PARAGRAPH = 600


def prose_paragraphs(text: str) -> list[str]:
    """Runs of prose lines between blank lines; a contrast may span the sentences of one."""
    out: list[str] = []
    run: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip() and not _LOG_LINE.search(line) and len(line) <= MAX_PARAGRAPH:
            run.append(line.strip())
        elif run:
            out.append(" ".join(run)[:MAX_PARAGRAPH])
            run = []
    return out
