"""Markdown runbooks are user input: parsing stays linear and keeps its meaning."""

from __future__ import annotations

import time

import pytest

from bot.kb.runbook import parse_runbook

HANG_GUARD_SECONDS = 2.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""

BODY = "\n\n## Meaning\n\nIt `broke`.\n\n## Mitigation\n\n- Fix it.\n"


@pytest.mark.parametrize(
    "source",
    ["# a" + " " * 3_000 + "b" + BODY, "# a" + " " * 3_000 + "#" + " " * 3_000 + "x" + BODY,
     "# T" + BODY + "```a" * 20_000 + "\n", "---\n" + "\n" * 50_000, "# T" + BODY + "\n " * 30_000 + "x",
     "# T" + BODY + "\n" + "1" * 50_000 + "x"],
    ids=["heading spaces", "heading hashes", "unclosed fences", "open front matter", "blank lines", "digit run"],
)
def test_runbook_parsing_is_linear(source: str) -> None:
    start = time.perf_counter()
    parse_runbook(source, "x.md", "x")
    assert time.perf_counter() - start < HANG_GUARD_SECONDS


def test_heading_closing_hashes_and_spaces_are_stripped() -> None:
    entry, problems = parse_runbook("# Disk   full ##  " + BODY.replace("## Meaning", "## Meaning ##"), "d.md", "d")
    assert problems == []
    assert entry is not None
    assert entry.text_in("en").title == "Disk   full"
    assert entry.signatures == ("broke",)


def test_code_blocks_are_read_in_one_pass() -> None:
    source = "# T\n\n## Meaning\n\nx\n```text\nsig one\n```\nthen `sig two` and ```unclosed\n\n## Mitigation\n\n" \
             "```\n$ kubectl get pods\n```\n"
    entry, problems = parse_runbook(source, "t.md", "t")
    assert problems == []
    assert entry is not None
    assert entry.signatures == ("sig one", "sig two")
    assert [c.run for c in entry.fix] == ["kubectl get pods"]
