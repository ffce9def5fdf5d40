"""Turn cleaned, masked text into weighted features for lexical scoring.

Features are whole words, the parts of compound words (``metrics.k8s.io`` ->
``metrics``, ``k8s``, ``io``), five-letter prefix stems (which also bridge
``service``/``serviço``/``сервис``-style cognates), Chinese character bigrams
(token scorers would see a Chinese sentence as one word), and concept tokens
from the cross-language glossary.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.matching.chinese import has_han, to_simplified
from bot.matching.contrast import (
    WORKING_PREFIX,
    is_marker,
    prose_paragraphs,
    says_something_works,
    working_clauses,
)
from bot.matching.lang import FUNCTION_WORDS
from bot.matching.memo import RepeatMemo

_WORD = re.compile(r"[^\W_][\w$]*(?:[.\-/:][^\W_][\w$]*)*", re.UNICODE)
_PARTS = re.compile(r"[.\-/:_]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_MASKED = re.compile(r"<(?:klog|ts|uuid|image|ip|hex|hash|dur|num)>")

STOPWORDS = frozenset().union(*FUNCTION_WORDS.values()) | frozenset(
    "a an at by as or if so its into than then also just only very get got has have had been being "
    "que de e o a en la el y se lo le les des und der".split()
)

WORD_WEIGHT = 1.0
PART_WEIGHT = 0.5
STEM_WEIGHT = 0.35
HAN_BIGRAM_WEIGHT = 1.0
HAN_UNIGRAM_WEIGHT = 0.25
CONCEPT_WEIGHT = 1.0
WORKING_WEIGHT = 0.3
"""A word of a clause that says what still works, on top of the word itself (see :mod:`contrast`)."""
STEM_LEN = 5


_LEX_WORD = re.compile(r"[^\W_]+(?:[\-.][^\W_]+)*", re.UNICODE)
_CJK_TERM = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
"""Chinese, Japanese and Korean terms are found as substrings: Korean attaches particles to words."""


@dataclass(frozen=True)
class Lexicon:
    """Concept glossary compiled for fast lookup; ``concepts(text)`` names what it finds.

    Single words are a dict lookup, ``word*`` terms a prefix test, CJK terms and
    phrases a substring test, and the few phrases with ``*`` one small pattern of
    the phrases whose literal parts all occur in the text.
    """

    words: Mapping[str, str]
    prefixes: Mapping[str, tuple[tuple[str, str], ...]]
    cjk_terms: Mapping[str, tuple[tuple[str, str], ...]]
    """CJK terms keyed by their first character."""
    cjk_first: re.Pattern[str] | None
    """Any first character of a CJK term: one scan finds which ones a text holds."""
    phrases: Mapping[str, tuple[tuple[str, str], ...]]
    """Multi-word terms keyed by their first word."""
    patterns: tuple[tuple[tuple[str, ...], str], ...]
    """For each ``*`` phrase, its literal parts and its named alternative of the pattern: a text lacking
    a part cannot match it, so the alternative is left out (leaving out what cannot match changes no match)."""
    pattern_concepts: Mapping[str, str]
    digest: str = ""
    """A digest of the glossary's content: features extracted with another glossary are stale."""
    compiled: dict[tuple[int, ...], re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)
    """The pattern of each set of alternatives met so far."""
    memo: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = field(
        default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        """The glossary without its run-time caches.

        A cached index is unpickled at every CLI start, where a memo of every KB word and recompiling
        the patterns met while building cost more than they save for one question.
        """
        return {**self.__dict__, "compiled": {}, "memo": {}}

    def _word_terms(self, word: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Concepts of one word (exact and prefix terms, hyphen parts too), and the phrases it may start.

        Memoised per lexicon: a long text repeats its words, and a KB repeats its texts' words.
        """
        cached = self.memo.get(word)
        if cached is not None:
            return cached
        found: list[str] = []
        phrases: list[tuple[str, str]] = []
        for w in [word, *word.split("-")] if "-" in word else [word]:
            concept = self.words.get(w)
            if concept:
                found.append(concept)
            found += [concept for prefix, concept in self.prefixes.get(w[:3], ()) if w.startswith(prefix)]
            phrases += self.phrases.get(w, ())
        terms = (tuple(found), tuple(phrases))
        if len(self.memo) < 200_000:
            self.memo[word] = terms
        return terms

    def concepts(self, text: str) -> list[str]:
        """Concept tokens (``@node``, ``@dns`` ...) whose terms occur in lower-cased ``text``.

        CJK terms are looked up by first character in sorted order, so the tokens come in the same
        order in every process (set order would follow the string hash seed).
        """
        found = []
        seen_phrases: set[str] = set()
        if self.cjk_first is not None:
            for ch in sorted(set(self.cjk_first.findall(text))):
                found += [concept for term, concept in self.cjk_terms[ch] if term in text]
        for word, count in Counter(_LEX_WORD.findall(text)).items():
            concepts, phrases = self._word_terms(word)
            if concepts:
                found += concepts * count
            for phrase, concept in phrases:
                if phrase not in seen_phrases and phrase in text:
                    seen_phrases.add(phrase)
                    found.append(concept)
        pattern = self._pattern_for(text) if self.patterns else None
        if pattern is not None:
            found += [self.pattern_concepts[m.lastgroup] for m in pattern.finditer(text) if m.lastgroup]
        return found

    def _pattern_for(self, text: str) -> re.Pattern[str] | None:
        """The alternatives whose literal parts all occur in ``text``, in glossary order; None if none can match."""
        present = tuple(i for i, (parts, _) in enumerate(self.patterns) if all(p in text for p in parts))
        if not present:
            return None
        pattern = self.compiled.get(present)
        if pattern is None:
            pattern = self.compiled[present] = re.compile("|".join(self.patterns[i][1] for i in present))
        return pattern


def load_lexicon(path: Path) -> Lexicon:
    """Compile the glossary file; a missing file gives an empty lexicon."""
    if not path.is_file():
        return compile_lexicon({})
    import yaml  # only an index build reads the glossary file; a cached index carries it

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return compile_lexicon(data or {})


def compile_lexicon(data: Mapping[str, Iterable[object]]) -> Lexicon:
    """Sort each term into the cheapest structure that finds it."""
    words: dict[str, str] = {}
    prefixes: dict[str, list[tuple[str, str]]] = {}
    cjk_terms: dict[str, list[tuple[str, str]]] = {}
    phrases: dict[str, list[tuple[str, str]]] = {}
    patterns: list[tuple[str, str, tuple[str, ...]]] = []
    for concept, terms in data.items():
        token = f"@{concept}"
        for term in terms:
            text = to_simplified(" ".join(str(term).lower().split()))
            if not text:
                continue
            if _CJK_TERM.search(text):
                cjk_terms.setdefault(text[0], []).append((text, token))
            elif " " in text and "*" not in text:
                first = _LEX_WORD.findall(text)[:1] or [text.split(" ")[0]]
                phrases.setdefault(first[0], []).append((text, token))
            elif "*" in text and (" " in text or not text.endswith("*") or text.count("*") > 1):
                body = r"\s+".join(re.escape(p).replace(r"\*", r"\w*") for p in text.split(" "))
                # The word-start check follows the first character, so the engine can scan for a literal.
                patterns.append((rf"{re.escape(text[0])}(?<!\w.){body[len(re.escape(text[0])):]}(?!\w)", token,
                                 tuple(p for p in re.split(r"[* ]", text) if p)))
            elif text.endswith("*"):
                stem = text[:-1]
                prefixes.setdefault(stem[:3], []).append((stem, token))
            else:
                words[text] = token
    alternatives = tuple((parts, f"(?P<p{i}>{body})") for i, (body, _, parts) in enumerate(patterns))
    pattern_concepts = {f"p{i}": token for i, (_, token, _) in enumerate(patterns)}
    cjk_first = re.compile("[" + "".join(re.escape(ch) for ch in sorted(cjk_terms)) + "]") if cjk_terms else None
    def frozen(table: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[tuple[str, str], ...]]:
        return {k: tuple(v) for k, v in table.items()}

    content = json.dumps({str(k): [str(t) for t in v] for k, v in data.items()}, sort_keys=True, ensure_ascii=False)
    return Lexicon(words, frozen(prefixes), frozen(cjk_terms), cjk_first, frozen(phrases), alternatives,
                   pattern_concepts, hashlib.blake2b(content.encode(), digest_size=16).hexdigest())


def normalise(text: str) -> str:
    """Lower-case, Simplified Chinese, masked placeholders removed."""
    text = _MASKED.sub(" ", text.lower())
    return to_simplified(text) if has_han(text) else text


@functools.lru_cache(maxsize=100_000)
def _word_features(word: str) -> tuple[tuple[str, float], ...]:
    """The word itself, the parts of a compound word, and prefix stems; cached, words repeat a lot."""
    if word in STOPWORDS or len(word) < 2:
        return ()
    out = [(word, WORD_WEIGHT)]
    parts = [p for p in _PARTS.split(word) if len(p) >= 2]
    if len(parts) > 1:
        out += [(part, PART_WEIGHT) for part in parts if part not in STOPWORDS]
    out += [("~" + piece[:STEM_LEN], STEM_WEIGHT) for piece in parts or [word]
            if piece.isalpha() and len(piece) > STEM_LEN + 1]
    return tuple(out)


WorkingFeatures = tuple[tuple[str, float], ...]


def features(text: str, lexicon: Lexicon, memo: RepeatMemo[WorkingFeatures] | None = None) -> dict[str, float]:
    """Weighted feature counts of already-masked ``text``.

    ``memo`` keeps the working-clause features of paragraphs across calls: an index build
    meets the same symptom sentences in many entries.
    """
    norm = normalise(text)
    words = Counter(_WORD.findall(_CJK.sub(" ", norm)))
    out = _plain_features(norm, lexicon, words)
    if not says_something_works(norm):
        return out
    for paragraph in prose_paragraphs(text):
        for feature, weight in _working_features(paragraph, lexicon, memo):
            out[feature] += weight
    return out


def plain_words(text: str) -> tuple[str, ...]:
    """The features of masked ``text`` that start with a letter or digit (its words and their parts), in order.

    The same as filtering :func:`features`, without the glossary, Han and contrast passes that give
    no such feature: a signature's rarity is judged on its words.
    """
    words = dict.fromkeys(_WORD.findall(_CJK.sub(" ", normalise(text))))
    return tuple(dict.fromkeys(f for word in words for f, _ in _word_features(word) if f[0].isalnum()))


def _working_features(paragraph: str, lexicon: Lexicon, memo: RepeatMemo[WorkingFeatures] | None) -> WorkingFeatures:
    """The ``+word`` features of a paragraph's working clauses, with their weights."""
    found = memo.get(paragraph) if memo is not None else None
    if found is not None:
        return found
    found = tuple(
        (WORKING_PREFIX + feature, WORKING_WEIGHT * min(weight, 1.0))
        for clause in working_clauses(normalise(paragraph))
        for feature, weight in _plain_features(clause, lexicon).items()
        if feature[0] != "~" and not is_marker(feature) and not (feature[0] == "#" and len(feature) == 2)
    )
    if memo is not None:
        memo.offer(paragraph, found, 1 + len(found))
    return found


def _plain_features(norm: str, lexicon: Lexicon, words: Counter[str] | None = None) -> defaultdict[str, float]:
    """Words, parts, stems, Han unigrams and bigrams and concepts of normalised text."""
    out: defaultdict[str, float] = defaultdict(float)
    for word, count in (words or Counter(_WORD.findall(_CJK.sub(" ", norm)))).items():
        for feature, weight in _word_features(word):
            out[feature] += weight * count
    for run in _HAN_RUN.findall(norm):
        # One addition per occurrence: runs are short, and sums of quarters are exact, as counts times them.
        for ch in run:
            out["#" + ch] += HAN_UNIGRAM_WEIGHT
        for k in range(len(run) - 1):
            out["#" + run[k:k + 2]] += HAN_BIGRAM_WEIGHT
    for concept, count in Counter(lexicon.concepts(norm)).items():
        out[concept] += CONCEPT_WEIGHT * count
    return out
