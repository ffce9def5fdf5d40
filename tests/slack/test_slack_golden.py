"""Golden files of every Block Kit template in every answer language (en, pt, ru, zh, zh-Hant).

Each ``golden/<case>.<lang>.json`` is ``{"blocks": [...]}``, exactly what the app
sends. To look at one, open Slack's Block Kit Builder (app.slack.com/block-kit-builder),
clear the editor and paste the whole file: the preview shows the message as users
see it. Answers that are cut to fit Slack also ship the full plain text,
golden in ``golden/answer_text.<lang>.txt``, as do shortened checks reports
(``golden/checks_report_text.<lang>.txt``).

To regenerate after changing a template or a label, run::

    K8SFIX_UPDATE_GOLDEN=1 .venv/bin/pytest tests/slack/test_slack_golden.py

then review the diff of ``tests/slack/golden/`` before committing. The entries come
from ``tests/slack/data/kb/`` (not the real KB) so that KB edits never move them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.kb import KnowledgeBase, load_knowledge
from bot.slack.compose import (
    AnswerOptions,
    SlackMessage,
    compose_apology,
    compose_candidates,
    compose_checks_report,
    compose_diagnosis,
    compose_help,
    compose_home,
    compose_repeat,
    compose_topic_list,
)
from bot.slack.diagnosis import Candidate, Diagnosis
from bot.slack.limits import MAX_BLOCKS, MAX_HEADER_CHARS, MAX_SECTION_CHARS, size_of
from bot.slack.render import render_text
from bot.slack.texts import DISPLAY_LANGUAGES

GOLDEN = Path(__file__).parent / "golden"
KB_DIR = Path(__file__).parent / "data" / "kb"
UPDATE = os.environ.get("K8SFIX_UPDATE_GOLDEN") == "1"

EVIDENCE = ("E1121 kube-proxy: conntrack returned error: error looking for path of conntrack <!channel> ```",)
ANSWER = Diagnosis(
    kind="answer",
    candidates=(Candidate("golden-sample", 0.87, "high", EVIDENCE), Candidate("golden-related", 0.41, "medium")),
    findings=("golden-related",), query_lang="en", paste_cut=True,
)
TIE = Diagnosis(kind="answer", candidates=(Candidate("golden-sample", 1.0, "medium"),
                                           Candidate("golden-related", 1.0, "medium")), query_lang="en")
ABSTAIN = Diagnosis(kind="abstain", candidates=(Candidate("golden-related", 0.22, "low"),
                                                Candidate("golden-sample", 0.11, "low")), query_lang="und")
RESULTS = [
    SimpleNamespace(check_id="kube-proxy", status="confirmed", summary="conntrack missing on node <n1>",
                    evidence=("kube-proxy-abcde on n1: error looking for path of conntrack",)),
    SimpleNamespace(check_id="kube-proxy", status="not confirmed", summary="kube-proxy pods are ready", evidence=()),
    SimpleNamespace(check_id="cluster-dns", status="inconclusive", summary="no namespace given", evidence=()),
    SimpleNamespace(check_id="service", status="failed", summary="403: token=abc123secret forbidden", evidence=()),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge([KB_DIR], include_builtin=False)


def _answer(kb: KnowledgeBase, lang: str) -> SlackMessage:
    options = AnswerOptions(qid="q0123456789abcdef", surface="ephemeral", checks_enabled=True,
                            full_text_in_dm=True, paste_cut_chars=200_000)
    return compose_diagnosis(ANSWER, kb, lang, options)


CASES: dict[str, Callable[[KnowledgeBase, str], SlackMessage]] = {
    "answer": _answer,
    "answer_shared": lambda kb, lang: compose_diagnosis(
        Diagnosis.lookup("golden-sample"), kb, lang,
        AnswerOptions(qid="q0123456789abcdef", surface="channel", shared_by="U0ALICE01")),
    "answer_tie": lambda kb, lang: compose_diagnosis(TIE, kb, lang, AnswerOptions(qid="qtie", surface="thread")),
    "abstain": lambda kb, lang: compose_diagnosis(ABSTAIN, kb, lang, AnswerOptions(qid="qabstain", surface="thread")),
    "help": lambda kb, lang: compose_help(lang, "/k8sfix", "golden-sample"),
    "triage_repeat": lambda kb, lang: compose_repeat(
        kb.entries["golden-sample"], lang, "https://k8sfix-test.slack.com/archives/C0CHAN1/p1700000000000100"),
    "checks_report": lambda kb, lang: compose_checks_report(kb.entries["golden-sample"], lang, "prod-eu", 1.234,
                                                            RESULTS),
    "apology": lambda kb, lang: compose_apology(lang),
    "topics": lambda kb, lang: compose_topic_list(kb, lang, "/k8sfix"),
    "topics_word": lambda kb, lang: compose_topic_list(kb, lang, "/k8sfix", "conntrack"),
    "topics_none": lambda kb, lang: compose_topic_list(kb, lang, "/k8sfix", "<!here>"),
    "candidates": lambda kb, lang: compose_candidates(ANSWER, kb, lang, "q0123456789abcdef"),
    "home": lambda kb, lang: SlackMessage(text="home", blocks=compose_home(kb, lang, "/k8sfix",
                                                                           ["C0CHAN1", "G0PRIV2"])["blocks"]),
}


def _compare(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; review and re-run")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs; see the module docstring"


@pytest.mark.parametrize("lang", DISPLAY_LANGUAGES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_blocks_match_the_golden_file(kb: KnowledgeBase, case: str, lang: str) -> None:
    # given / when
    message = CASES[case](kb, lang)
    # then
    actual = json.dumps({"blocks": message.blocks}, ensure_ascii=False, indent=2) + "\n"
    _compare(GOLDEN / f"{case}.{lang}.json", actual)
    assert_within_slack_limits(message.blocks)
    assert message.text


@pytest.mark.parametrize("lang", DISPLAY_LANGUAGES)
def test_full_text_matches_the_golden_file(kb: KnowledgeBase, lang: str) -> None:
    from bot.slack.compose import entry_view
    from bot.slack.texts import labels

    text = render_text("answer", t=labels(lang), entry=entry_view(kb.entries["golden-sample"], lang, kb),
                       match={"confidence": "high", "percent": 87, "evidence": list(EVIDENCE)})
    _compare(GOLDEN / f"answer_text.{lang}.txt", text)


@pytest.mark.parametrize("lang", DISPLAY_LANGUAGES)
def test_checks_report_full_text_matches_the_golden_file(kb: KnowledgeBase, lang: str) -> None:
    from bot.slack.texts import labels

    rows = [{"status": r.status, "check_id": r.check_id, "summary": r.summary, "evidence": list(r.evidence)}
            for r in RESULTS]
    text = render_text("checks_report", t=labels(lang), entry={"id": "golden-sample", "title": "golden sample"},
                       cluster="prod-eu", elapsed="1.2", results=rows)
    _compare(GOLDEN / f"checks_report_text.{lang}.txt", text)


def test_every_golden_file_belongs_to_a_case() -> None:
    expected = {f"{case}.{lang}.json" for case in CASES for lang in DISPLAY_LANGUAGES}
    expected |= {f"answer_text.{lang}.txt" for lang in DISPLAY_LANGUAGES}
    expected |= {f"checks_report_text.{lang}.txt" for lang in DISPLAY_LANGUAGES}
    assert {p.name for p in GOLDEN.iterdir()} == expected


def test_pasted_text_cannot_ping_or_break_out_of_code(kb: KnowledgeBase) -> None:
    blocks = json.dumps(_answer(kb, "en").blocks)
    assert "<!channel>" not in blocks and "&lt;!channel&gt;" in blocks


def test_traditional_chinese_is_converted_from_the_simplified_kb(kb: KnowledgeBase) -> None:
    zh, hant = _answer(kb, "zh"), _answer(kb, "zh-Hant")
    assert zh.blocks[0]["text"]["text"] == "kube-proxy 找不到 conntrack 可执行文件"
    assert hant.blocks[0]["text"]["text"] == "kube-proxy 找不到 conntrack 執行檔"


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    """Slack's documented limits, checked on every rendered message."""
    assert 0 < len(blocks) <= MAX_BLOCKS
    assert size_of(blocks) <= 12_000
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for block in blocks:
        text = block.get("text") or {}
        if block["type"] == "header":
            assert len(text["text"]) <= MAX_HEADER_CHARS and text["type"] == "plain_text"
        elif block["type"] == "section":
            assert 0 < len(text["text"]) <= MAX_SECTION_CHARS
        elif block["type"] == "actions":
            ids = [e["action_id"] for e in block["elements"]]
            assert 0 < len(ids) <= 25 and len(ids) == len(set(ids))
            for element in block["elements"]:
                label = element.get("text") or element.get("placeholder")
                assert len(label["text"]) <= 75
                assert len(element.get("value", "")) <= 2000
                for option in element.get("options", []):
                    assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
