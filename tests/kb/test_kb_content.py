"""The built-in KB is complete: every catalogue topic, four languages, facts from the sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from bot.kb import LANGUAGES, builtin_dir, load_knowledge
from bot.matching.features import load_lexicon

DATA = Path(__file__).parent.parent / "data"
CATALOGUE = [line.strip() for line in (DATA / "catalogue_ids.txt").read_text().splitlines() if line.strip()]
COMMON = [line.strip() for line in (DATA / "common_ids.txt").read_text().splitlines() if line.strip()]
try:
    from bot.checks.catalog import CHECK_IDS
except ImportError:  # pragma: no cover - the checks package ships with the project
    CHECK_IDS = None
KB = load_knowledge(known_checks=CHECK_IDS)
SOURCE_FACTS = {
    topic: facts
    for path in sorted((DATA / "source_facts").glob("*.yaml"))
    for topic, facts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()
}
SEEDS = {"000_26bd43a3c4e24936.txt", "001_57bae0457eababc4.txt", "002_9b0a7c473141c9b4.txt",
         "003_1fb36a013771caf9.txt", "004_082db79a4e02d5ad.txt"}


def test_every_catalogue_topic_has_exactly_one_entry() -> None:
    assert sorted(KB.entries) == sorted(set(CATALOGUE) | set(COMMON))
    assert not set(CATALOGUE) & set(COMMON)


@pytest.mark.parametrize("topic", COMMON)
def test_common_entry_cites_a_component_and_reason(topic: str) -> None:
    entry = KB.entries[topic]
    assert entry.sources
    assert all(not s.is_document and s.component and s.reason for s in entry.sources)


def test_kb_list_json_says_common_entries_are_common(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("K8SFIX_KB_PATH", raising=False)
    assert main(["kb", "list", "--json"]) == 0
    origins = {row["id"]: row["origin"] for row in json.loads(capsys.readouterr().out)}
    assert {topic: origins[topic] for topic in COMMON} == {topic: "common" for topic in COMMON}
    assert {origins[topic] for topic in CATALOGUE} == {"document"}


@pytest.mark.parametrize("topic", CATALOGUE + COMMON)
def test_entry_is_written_in_every_language(topic: str) -> None:
    entry = KB.entries[topic]
    assert set(entry.text) == set(LANGUAGES)
    for lang in LANGUAGES:
        text = entry.text[lang]
        assert text.title and text.impact and text.symptoms and text.causes, lang
        assert all(cause.fix for cause in text.causes), lang
        assert len(text.causes) == len(entry.text["en"].causes), lang


@pytest.mark.parametrize("topic", CATALOGUE)
def test_entry_cites_a_source_document_and_section(topic: str) -> None:
    entry = KB.entries[topic]
    assert entry.sources
    assert {s.file for s in entry.sources} <= SEEDS
    assert all(s.section and s.document for s in entry.sources)


@pytest.mark.parametrize("topic", CATALOGUE + COMMON)
def test_every_command_has_a_purpose_in_every_language(topic: str) -> None:
    for command in (*KB.entries[topic].diagnose, *KB.entries[topic].fix):
        assert set(command.purpose) == set(LANGUAGES), command.run


@pytest.mark.parametrize("topic", sorted(SOURCE_FACTS))
def test_source_facts_appear_verbatim_in_the_entry(topic: str) -> None:
    # given the commands, paths, flags and versions extracted from the topic's source section
    raw = (builtin_dir() / f"{topic}.yaml").read_text(encoding="utf-8")
    # then each one is quoted exactly in the entry file
    missing = [fact for fact in SOURCE_FACTS[topic] if fact not in raw]
    assert missing == []


def test_source_facts_cover_every_topic() -> None:
    assert set(SOURCE_FACTS) == set(CATALOGUE)


def test_windows_entries_are_tagged_windows() -> None:
    untagged = [e.id for e in KB.entries.values() if e.id.startswith("win-") and "windows" not in e.tags]
    assert untagged == []


def test_related_links_point_both_ways_for_the_service_chain() -> None:
    chain = ["svc-no-endpoints", "svc-port-mismatch", "kube-proxy-not-working"]
    for a in chain:
        assert set(chain) - {a} <= set(KB.entries[a].related) | {a}, a


def test_lexicon_loads_and_maps_languages_to_one_concept() -> None:
    lexicon = load_lexicon(builtin_dir() / "lexicon.yaml")
    for word in ("node", "nó", "нода", "节点", "ノード", "knoten"):
        assert "@node" in lexicon.concepts(word), word
