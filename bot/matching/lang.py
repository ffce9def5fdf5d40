"""Detect the language of a query from its prose, ignoring the log lines inside it.

Scripts settle Russian, Chinese, Japanese and Korean at once; among Latin-script
languages, function words decide. Log lines (klog headers, code blocks, lines
dense with symbols) are skipped, since they are English whatever the asker speaks.
"""

from __future__ import annotations

import re

from bot.matching.chinese import is_traditional

SUPPORTED = ("en", "pt", "ru", "zh-Hans", "zh-Hant", "es", "ja", "de", "fr", "ko")
UNDETERMINED = "und"

_CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LOG_LINE = re.compile(r"^\s*(?:[IWEF]\d{4}\s|\d{4}-\d{2}-\d{2}|\$ |PS [A-Z]:|[A-Z]+\s*\d|\{|\[)")

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "after all and any are be but can't cannot do does doesn't for from how i in is isn't it keeps my "
        "not of on our stuck that the there this to was we what when why with won't"
        .split()
    ),
    "pt": frozenset(
        "ao aparece as com como consigo da das depois desde do dos ela ele em essa esse esta está estão "
        "fica ficam funciona isso mas meu meus minha minhas na nao nas no nos nosso nossos não nós o os "
        "para por porque quando que seu seus sua suas também tem têm um uma à é"
        .split()
    ),
    "es": frozenset(
        "al como con cuando cómo del desde después el en es esta está están hace hay las lo los mi mis "
        "muestra muy no nosotros nuestro nuestros para pero por porque que qué sale se sigue siguen su "
        "sus también tengo tiene tienen un una unos y ya"
        .split()
    ),
    "fr": frozenset(
        "au aux avec ce cela ces comment dans depuis des du elle est et il ils je la le les leur mais mes "
        "mon même ne nos notre nous on ou où par pas plus pour pourquoi quand que qui sa se ses son sont "
        "sur toujours très un une vers"
        .split()
    ),
    "de": frozenset(
        "aber alle auch auf bei das dass dem den der des die ein eine einem einen einer es für geht haben "
        "hat ich im in ist kann kein keine können mein meine meinem meinen mit nach nicht noch nur obwohl "
        "oder schon seit sich sie sind steht und unser unsere unseren von warum was wenn werden wie wir "
        "wird zu"
        .split()
    ),
}
_DISTINCT_CHARS = {"pt": "ãõ", "es": "ñ¿¡", "de": "äöüß", "fr": "èêàùœ"}


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
    if len(_HANGUL.findall(prose)) >= 2:
        return "ko"
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
