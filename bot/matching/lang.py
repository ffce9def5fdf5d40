"""Detect the language of a query from its prose, ignoring the log lines inside it.

Scripts settle Russian, Chinese and Japanese at once; among Latin-script
languages, function words decide. Log lines (klog headers, code blocks, lines
dense with symbols) are skipped, since they are English whatever the asker speaks.
"""

from __future__ import annotations

import re

from bot.matching.chinese import is_traditional

SUPPORTED = ("en", "pt", "ru", "zh-Hans", "zh-Hant", "es", "ja", "de")
UNDETERMINED = "und"

_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LOG_LINE = re.compile(r"^\s*(?:[IWEF]\d{4}\s|\d{4}-\d{2}-\d{2}|\$ |PS [A-Z]:|[A-Z]+\s*\d|\{|\[)")

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the is are was be to of and in on it my i we our how why what when does do not can't cannot "
                    "won't doesn't isn't with from for this that there after but all any keeps stuck".split()),
    "pt": frozenset("o os as um uma não nao é está estão esta meu minha meus minhas nós como por que porque quando "
                    "do da dos das no na nos nas em para com mas ao à depois ele ela isso esse essa "
                    "consigo funciona aparece ficam fica".split()),
    "es": frozenset("el los las un una unos no es está están esta mi mis nosotros cómo como por qué porque cuando "
                    "del al en para con pero después ya se sale muestra y hay tengo sigue siguen".split()),
    "de": frozenset("der die das ein eine einen nicht ist sind mein meine wir wie warum wenn und im in auf mit "
                    "von zu bei aber nach obwohl steht geht kein keine auch noch was ich es".split()),
}
_DISTINCT_CHARS = {"pt": "ãõç", "es": "ñ¿¡", "de": "äöüß"}


def prose_of(text: str) -> str:
    """The human-written part of a query: no code blocks, inline code or log lines."""
    text = _INLINE_CODE.sub(" ", _CODE_BLOCK.sub(" ", text))
    return "\n".join(line for line in text.splitlines() if not _LOG_LINE.match(line))


def detect_language(text: str) -> str:
    """Return one of :data:`SUPPORTED`, or ``und`` when the text has no words at all."""
    prose = prose_of(text)
    if not _WORD.search(prose):
        prose = text
    if len(_KANA.findall(prose)) >= 2:
        return "ja"
    han = len(_HAN.findall(prose))
    if han >= 2:
        return "zh-Hant" if is_traditional(prose) else "zh-Hans"
    cyrillic = len(_CYRILLIC.findall(prose))
    words = [w.lower() for w in _WORD.findall(prose)]
    if not words:
        return UNDETERMINED
    if cyrillic >= 3 and cyrillic * 2 >= sum(len(w) for w in words) * 0.5:
        return "ru"
    return _latin_language(words, prose.lower())


def _latin_language(words: list[str], lowered: str) -> str:
    scores = {lang: sum(w in fw for w in words) for lang, fw in FUNCTION_WORDS.items()}
    for lang, chars in _DISTINCT_CHARS.items():
        scores[lang] += 2 * sum(lowered.count(c) for c in chars)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    if best != "en" and scores[best] < 2:
        return "en"
    return best
