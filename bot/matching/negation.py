"""Whether the asker says a thing did NOT happen: "no etcd restore", "we don't use Azure", "没有恢复 etcd".

A rule-out names a look-alike's context (an etcd restore, an image pull); an asker who writes that the
context is absent has ruled the look-alike in, not out. Only the few words before a mention are read,
within its clause, so a log line's own "no" or "not" far from the mention changes nothing. Japanese
and Korean deny after the mention ("istio は使っていない", "istio 는 사용하지 않습니다"); there only verbs of
using, installing or doing count, since "起動できない" or "없습니다" after a mention report the problem.
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
_CJK_CUE = re.compile(r"(?:没有|沒有|没|沒|未|并非|並非|不是|无(?!法)|無(?!法))[^\s]{0,8}\s*$")
_MENTION_WORD = re.compile(r"[A-Za-z0-9_./:-]+")
"""The Latin word a mention starts with: kana and Hangul right after it are the denial, not the word."""
AFTER_CHARS = 24
"""How far past a mention a Japanese or Korean denial is read."""
_AFTER_CUE = re.compile(
    r"^[^\n\u3002\uff01\uff1f.!?]{0,12}?"
    r"(?:(?:は|も|を)?\s*(?:使って|使用して|入れて|導入して|インストールして|設定して|やって)(?:い)?(?:ない|ません|なかった)"
    r"|(?:では|じゃ)(?:ない|ありません)|(?:は|も)?\s*(?:なし|無し)(?![\w])"
    r"|(?:사용하지|쓰지|설치하지|하지|적용하지)\s*않|안\s*(?:씀|썼|써요|씁니다|했)"
    r"|(?:은|는|도)?\s*(?:사용|설치|적용)\s*안\s*(?:함|했|합니다))"
)


def negated(text: str, start: int) -> bool:
    """Whether the mention starting at ``start`` in ``text`` is denied by the words just around it."""
    before = text[max(0, start - CLAUSE_CHARS):start]
    ends = list(_CLAUSE_END.finditer(before))
    clause = before[ends[-1].end():] if ends else before
    if _WORD_CUE.search(clause) or _CJK_CUE.search(clause):
        return True
    return bool(_AFTER_CUE.search(_after_mention(text, start)))


def _after_mention(text: str, start: int) -> str:
    """The few characters after the mention's own word, where Japanese and Korean put a denial."""
    rest = text[start:start + AFTER_CHARS + 40]
    word = _MENTION_WORD.match(rest)
    return rest[word.end() if word else 0:][:AFTER_CHARS]


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
