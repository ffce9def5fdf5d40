"""What still works tells close siblings apart: "the full name resolves, the short name does not"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.matching import load_matcher
from bot.matching.contrast import prose_paragraphs, working_clauses
from bot.matching.features import WORKING_PREFIX, features, load_lexicon

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("line", "working"),
    [
        ("fqdn svc.cluster.local works, short name does not", ["fqdn svc.cluster.local works"]),
        ("no pod can resolve any name, while the node itself resolves everything",
         ["while the node itself resolves everything"]),
        ("nslookup web does not work. instead i had to use nslookup web.default.svc.cluster.local",
         ["instead i had to use nslookup web.default.svc.cluster.local"]),
        ("pod 能通外网，但是不能解析外网的域名", ["pod 能通外网"]),
        ("podが名前解決できなくなった。nodeでは名前解決できる", ["nodeでは名前解決できる"]),
        ("pod 里无法访问自己的 service，别的 pod 访问这个 service 没有问题", ["别的 pod 访问这个 service 没有问题"]),
        ("curl to the pod ip has no problems, the cluster ip times out", ["curl to the pod ip has no problems"]),
        ("funciona no node, mas não no pod", ["funciona no node"]),
        ("имена кластера резолвятся, внешние — таймаут", ["имена кластера резолвятся"]),
    ],
)
def test_the_working_clauses_of_a_contrast_are_found(line: str, working: list[str]) -> None:
    assert [c.strip() for c in working_clauses(line)] == working


@pytest.mark.parametrize(
    "line",
    [
        "nslookup kubernetes.default fails from every pod",
        "the service works fine",
        "how can i fix dns, it resolves slowly",
        "これは不思議です、名前解決できる",
    ],
)
def test_a_line_without_both_sides_has_no_working_clause(line: str) -> None:
    assert working_clauses(line) == []


def test_log_lines_and_prompts_are_not_prose() -> None:
    text = ("the short name fails but the full name resolves\n"
            "E0629 04:39:37.533648 1 reflector.go:205] ok but failed\n"
            "$ kubectl get pods ok, not ready")
    assert prose_paragraphs(text) == ["the short name fails but the full name resolves"]


def test_working_words_become_their_own_features_and_only_in_a_contrast() -> None:
    lexicon = load_lexicon(ROOT / "knowledge" / "lexicon.yaml")
    contrast = features("the pod ip answers but the cluster ip times out", lexicon)
    plain = features("the pod ip and the cluster ip time out", lexicon)
    assert WORKING_PREFIX + "answers" not in contrast, "a word that only says 'works' tells nothing apart"
    assert contrast[WORKING_PREFIX + "@pod"] > 0
    assert not any(f.startswith(WORKING_PREFIX) for f in plain)


def _entry(entry_id: str, symptom: str) -> dict:
    text = {"title": "name lookups fail in pods", "symptoms": [symptom], "impact": "x",
            "causes": [{"cause": "x", "fix": ["x"]}]}
    return {"id": entry_id, "kind": "symptom", "signatures": [], "text": {"en": text}}


def test_siblings_that_differ_only_in_what_works_are_told_apart(tmp_path: Path) -> None:
    # given two entries with the very same words: one says the full name works, the other the short one
    for data in (_entry("search-domains", "lookups of the short name fail, the full name works"),
                 _entry("wrong-domain", "lookups of the full name fail, the short name works"),
                 _entry("disk-full", "the node disk is full"), _entry("image-pull", "the image pull is denied"),
                 _entry("oom", "the container is killed for memory")):
        (tmp_path / f"{data['id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    small = load_matcher([tmp_path], include_builtin=False)
    # then each question gets the entry whose working side it shares
    asked = small.match("nslookup of the short name fails in the pod, but the full name works")
    assert asked.matches[0].entry.id == "search-domains"
    asked = small.match("nslookup of the full name fails in the pod, but the short name works")
    assert asked.matches[0].entry.id == "wrong-domain"
