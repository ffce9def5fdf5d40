"""Whether the asker says a thing did NOT happen: "no etcd restore", "we don't use Azure", "没有恢复 etcd".

A rule-out names a look-alike's context (an etcd restore, an image pull); an asker who writes that the
context is absent has ruled the look-alike in, not out. Only the few words before a mention are read,
within its clause, so a log line's own "no" or "not" far from the mention changes nothing.
"""

from __future__ import annotations

import re

CLAUSE_CHARS = 48
"""How far back from a mention its clause is read."""
MAX_MENTIONS = 8
"""Mentions looked at per pattern: one affirmed mention is enough, and a long paste repeats itself."""

_CLAUSE_END = re.compile(r"[.!?;:\n\u3002\uff01\uff1f\uff1b\uff0c,]")
_WORD_CUE = re.compile(
    r"(?<![\w'])(?:no|not|never|without|nor|neither|nothing|didn't|did not|don't|do not|doesn't|does not|"
    r"haven't|have not|hasn't|has not|hadn't|wasn't|weren't|isn't|aren't|"
    r"não|nao|nunca|sem|nem|sin|ni|pas|sans|aucune?|jamais|kein\w*|nicht|ohne|не|нет|без|ни)"
    r"(?:\s+[\w'-]+){0,3}\s*$",
    re.IGNORECASE,
)
_CJK_CUE = re.compile(r"(?:没有|沒有|没|沒|未|并非|並非|不是|无|無)[^\s]{0,8}\s*$")


def negated(text: str, start: int) -> bool:
    """Whether the mention starting at ``start`` in ``text`` is denied by the words just before it."""
    before = text[max(0, start - CLAUSE_CHARS):start]
    ends = list(_CLAUSE_END.finditer(before))
    clause = before[ends[-1].end():] if ends else before
    return bool(_WORD_CUE.search(clause) or _CJK_CUE.search(clause))


def affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` finds a mention in ``text`` that the asker does not deny.

    After a denied mention the search goes on from its next character, not its end: a denied
    "no etcd restore" may run into an affirmed "we restored etcd" a few words on.
    """
    position = 0
    for _ in range(MAX_MENTIONS):
        mention = pattern.search(text, position)
        if mention is None:
            return False
        if not negated(text, mention.start()):
            return True
        position = mention.start() + 1
    return True
