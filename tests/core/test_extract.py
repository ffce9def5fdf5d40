"""Extraction for an index build: texts the KB repeats are read once, with the same result."""

from __future__ import annotations

import dataclasses
import pickle
from collections import defaultdict

import numpy as np
import pytest

from bot.kb import load_knowledge
from bot.kb.loader import builtin_dir
from bot.matching.bags import BagStore
from bot.matching.extract import FIELD_WEIGHTS, BagExtractor
from bot.matching.features import compile_lexicon, features, load_lexicon, plain_words
from bot.matching.index import entry_fields
from bot.matching.memo import RepeatMemo

KB = load_knowledge()
LEXICON = load_lexicon(builtin_dir() / "lexicon.yaml")
ENTRIES = list(KB.entries.values())


def fresh_bag(fields: list[tuple[str, str]]) -> dict[str, float]:
    """An entry's bag with every field text read afresh."""
    by_kind: dict[str, list[str]] = {}
    for kind, text in fields:
        by_kind.setdefault(kind, []).append(text)
    bag: defaultdict[str, float] = defaultdict(float)
    for kind, texts in by_kind.items():
        for feature, count in features("\n\n".join(texts), LEXICON).items():
            bag[feature] += FIELD_WEIGHTS[kind] * count
    return bag


def named(store: BagStore, bag: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    ids, weights = bag
    assert np.all(np.diff(ids) > 0)  # each feature once
    return {store.names[i]: w for i, w in zip(ids.tolist(), weights.tolist(), strict=True)}


def test_new_names_get_ids_in_the_order_a_fresh_reading_meets_them() -> None:
    store = BagStore()
    extractor = BagExtractor(LEXICON, store)
    for entry in ENTRIES[:10]:
        extractor.bag(entry_fields(entry))
    expected: dict[str, None] = {}
    for entry in ENTRIES[:10]:
        expected.update(dict.fromkeys(fresh_bag(entry_fields(entry))))
    assert store.names == list(expected)


def test_bags_of_entries_sharing_texts_equal_bags_read_afresh() -> None:
    # given entries that repeat each other's causes, fixes and symptoms, as template-made entries do
    copies = [dataclasses.replace(e, id=f"{e.id}-copy{k}") for k in range(3) for e in ENTRIES]
    store = BagStore()
    extractor = BagExtractor(LEXICON, store)
    for entry in copies:
        fields = entry_fields(entry)
        # then each bag equals a fresh reading, to the last bit of every weight
        assert named(store, extractor.bag(fields)) == fresh_bag(fields)
    assert len(extractor._texts) > 0 and len(extractor._paragraphs) > 0


def test_a_spent_budget_still_gives_the_same_bags() -> None:
    store = BagStore()
    extractor = BagExtractor(LEXICON, store, text_budget=0, paragraph_budget=0)
    for entry in ENTRIES[:5] * 2:
        fields = entry_fields(entry)
        assert named(store, extractor.bag(fields)) == fresh_bag(fields)
    assert len(extractor._texts) == len(extractor._paragraphs) == 0


def test_a_memo_keeps_only_keys_met_twice_within_its_budget() -> None:
    memo: RepeatMemo[str] = RepeatMemo(budget=3)
    memo.offer("once", "a")
    assert memo.get("once") is None
    memo.offer("once", "a", size=2)
    assert memo.get("once") == "a"
    memo.offer("big", "b", size=2)
    memo.offer("big", "b", size=2)
    assert memo.get("big") is None  # beyond the budget left
    assert len(memo) == 1


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("сервис не доступен с ноды", ["@unreachable"]),
        ("под не готов, не найден образ", ["@notready", "@notfound"]),
        ("не работает", []),  # "не" alone: no alternative can match
        ("ingress cluster", []),
        ("the ingresses  no cluster here", ["@ingress"]),
    ],
)
def test_star_phrases_match_whichever_alternatives_can(text: str, concepts: list[str]) -> None:
    lexicon = compile_lexicon({
        "unreachable": ["не доступ*"], "notready": ["не готов*"], "notfound": ["не найден*"],
        "ingress": ["ingress* no cluster"],
    })
    assert lexicon.concepts(text) == concepts


def test_plain_words_are_the_features_that_start_with_a_letter_or_digit() -> None:
    texts = [s for e in ENTRIES for s in e.signatures] + [t.title for e in ENTRIES for t in e.text.values()]
    texts += ["pod 里无法访问 service.default.svc，但是 node 上 curl 可以", "kube-proxy: iptables-restore failed"]
    for text in texts:
        assert plain_words(text) == tuple(f for f in features(text, LEXICON) if f[0].isalnum())


def test_a_pickled_glossary_leaves_its_run_time_caches_behind() -> None:
    """The CLI unpickles the cached index at every start: the word memo and compiled patterns stay out."""
    lexicon = load_lexicon(builtin_dir() / "lexicon.yaml")
    texts = [t for e in ENTRIES[:10] for _, t in entry_fields(e)]
    before = [features(t, lexicon) for t in texts]
    assert lexicon.memo, "extraction fills the word memo"
    copy = pickle.loads(pickle.dumps(lexicon))
    assert not copy.memo and not copy.compiled
    assert copy == lexicon
    assert [features(t, copy) for t in texts] == before
