"""KB folders and query files are user input: each bad file is refused with its file and field, nothing half-loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import InputError, KnowledgeBaseError
from bot.evaluation.runner import load_queries
from bot.kb.loader import load_folder, load_knowledge
from bot.kb.yaml_entry import parse_entry

MINIMAL: dict[str, Any] = {
    "id": "team-disk",
    "kind": "symptom",
    "signatures": ["volume mount failed: quota exceeded"],
    "text": {"en": {"title": "Team volume quota exceeded", "symptoms": ["volume mount fails with quota exceeded"],
                    "impact": "Pods of the team cannot start.",
                    "causes": [{"cause": "The storage quota is used up.", "fix": ["Raise the quota."]}]}},
}
RUNBOOK_BODY = "# Disk\n\n## Meaning\n\nIt `broke`.\n\n## Mitigation\n\n- Fix it.\n"
BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x, x]"]
                 + [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcdef", "bcdefg", strict=True)])
DEEP = "[" * 500 + "]" * 500
STUCK_SECONDS = 10.0
"""A load that has not returned by then is blocked on a special file."""


def problems_in(folder: Path) -> list[str]:
    """Load ``folder`` in a thread, so a load blocked on a FIFO fails the test instead of hanging it."""
    found: list[list[str]] = []

    def load() -> None:
        _, problems = load_folder(folder)
        found.append([f"{Path(p.file).name}: {p.field}: {p.message}" for p in problems])

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(STUCK_SECONDS)
    assert found, "loading the folder blocked"
    return found[0]


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_yaml_is_refused_without_opening_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    assert problems_in(tmp_path) == ["pipe.yaml: (file): is a named pipe (FIFO), not a regular file; it was not opened"]


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "null.yaml").symlink_to("/dev/null")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    assert problems_in(tmp_path) == [
        f"null.yaml: (file): is a symbolic link to /dev/null, outside its folder {tmp_path}",
        f"zero.md: (file): is a symbolic link to /dev/zero, outside its folder {tmp_path}",
    ]


def test_links_stay_inside_the_folder(tmp_path: Path) -> None:
    kb, outside = tmp_path / "kb", tmp_path / "elsewhere"
    kb.mkdir()
    outside.mkdir()
    write(outside, "team-disk.yaml", MINIMAL)
    (kb / "team-disk.yaml").symlink_to(outside / "team-disk.yaml")
    (kb / "loop.yaml").symlink_to(kb / "loop.yaml")
    assert problems_in(kb) == [
        "loop.yaml: (file): is a broken or looping symbolic link",
        f"team-disk.yaml: (file): is a symbolic link to {outside / 'team-disk.yaml'}, outside its folder {kb}",
    ]
    # a link inside the folder is an ordinary file
    (kb / "loop.yaml").unlink()
    (kb / "team-disk.yaml").unlink()
    (kb / "store").mkdir()
    write(kb / "store", "team-disk.yaml", MINIMAL)
    (kb / "team-disk.yaml").symlink_to(kb / "store" / "team-disk.yaml")
    entries, problems = load_folder(kb)
    assert problems == [] and list(entries) == ["team-disk"]


def test_a_directory_named_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    assert problems_in(tmp_path) == ["folder.yaml: (file): is a directory, not a regular file; it was not opened"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bomb.yaml", BOMB, "bomb.yaml: line 6: expands to more than 200000 nodes (aliases repeat what they refer to)"),
        ("small-bomb.yaml", "\n".join(BOMB.splitlines()[:5]),
         "small-bomb.yaml: (file): aliases expand to 123440 more nodes than written (at most 10000)"),
        ("self.yaml", "id: &a [*a]", "self.yaml: line 1: an alias refers to a node that contains it"),
        ("deep.yaml", f"id: {DEEP}", "deep.yaml: line 1: nests deeper than 64 levels"),
        ("twice.yaml", yaml.safe_dump(MINIMAL) + "kind: error\n", "twice.yaml: line 15: key 'kind' appears twice "
                                                                   "in one mapping"),
        ("deep-front.md", f"---\ntags: {DEEP}\n---\n{RUNBOOK_BODY}",
         "deep-front.md: front matter (line 1): nests deeper than 64 levels"),
        ("bomb-front.md", f"---\n{BOMB}\n---\n{RUNBOOK_BODY}",
         "bomb-front.md: front matter (line 6): expands to more than 200000 nodes (aliases repeat what they refer to)"),
        ("types.md", f"---\ntitle: [a]\ntags: {{a: b}}\nkind: banana\nowner: me\n---\n{RUNBOOK_BODY}", None),
        ("twice-section.md", RUNBOOK_BODY + "\n## Meaning\n\nagain\n",
         "twice-section.md: ## Meaning: section appears twice"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_hostile_or_broken_files_are_refused_with_file_and_field(tmp_path: Path, name: str, content: str,
                                                                  expected: str | None) -> None:
    write(tmp_path, name, content)
    problems = problems_in(tmp_path)
    if expected is None:
        assert problems == [
            "types.md: front matter.title: must be a non-empty string, got list",
            "types.md: front matter.tags: must be a string or a list of strings",
            "types.md: front matter.owner: unknown field (expected one of title, lang, kind, document, alerts, "
            "checks, related, tags)",
            "types.md: front matter.kind: 'banana' is not one of error, symptom, howto",
        ]
    else:
        assert problems == [expected]


def test_huge_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "huge.yaml").write_bytes(b"# " + b"x" * 2_000_000)
    (tmp_path / "latin.md").write_bytes(RUNBOOK_BODY.replace("broke", "br\xf6ke").encode("latin-1"))
    assert problems_in(tmp_path) == ["huge.yaml: (file): is larger than 1000000 bytes (2000002)",
                                     "latin.md: (file): is not UTF-8 text (invalid byte at offset 26)"]


def test_one_bad_file_loads_nothing(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", MINIMAL)
    write(tmp_path, "bomb.yaml", BOMB)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge([tmp_path])
    assert [p.file for p in caught.value.problems] == [str(tmp_path / "bomb.yaml")]


def test_a_kb_with_a_fifo_fails_validation_from_the_cli(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", MINIMAL)
    os.mkfifo(tmp_path / "pipe.yaml")
    done = subprocess.run([sys.executable, "-m", "bot", "kb", "validate", str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "pipe.yaml: (file): is a named pipe (FIFO)" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8) | st.integers(), inner,
                                                                      max_size=4)), max_leaves=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(["id", "kind", "text", "text.en", "text.en.causes", "text.en.causes.0",
                             "text.en.causes.0.fix", "text.en.title", "signatures", "commands", "sources", "related",
                             "tags"]), value=VALUES)
def test_any_broken_type_is_a_problem_never_an_exception(path: str, value: object) -> None:
    # given a valid entry with one field, anywhere, replaced by any YAML value
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value
    # when / then: an entry or problems naming the file, never an exception
    entry, problems = parse_entry(data, "x.yaml", "team-disk")
    assert entry is not None or problems
    assert all(p.file == "x.yaml" and p.field for p in problems)


def test_a_file_with_any_problem_contributes_no_entry(tmp_path: Path) -> None:
    write(tmp_path, "team-disk.yaml", {**MINIMAL, "tags": False})
    entries, problems = load_folder(tmp_path)
    assert entries == {}
    assert [(p.field, p.message) for p in problems] == [("tags", "must be a list of strings, got bool")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"- query: x\n  expect: {DEEP}", "line 2: nests deeper than 64 levels"),
        (BOMB, "line 6: expands to more than 200000 nodes"),
        ("- query: x\n  expect: [a, b]", "item 0: expect must be a string, got list"),
        ("- query: x\n  expect: a\n  lang: 3", "item 0: lang must be a string, got int"),
        ("- query: x\n  query: y\n  expect: a", "line 2: key 'query' appears twice in one mapping"),
    ],
)
def test_query_files_are_read_as_carefully(tmp_path: Path, content: str, expected: str) -> None:
    path = write(tmp_path, "queries.yaml", content)
    with pytest.raises(InputError, match=expected.replace("[", r"\[")):
        load_queries(path)


def test_a_fifo_query_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "queries.yaml")
    with pytest.raises(InputError, match="named pipe"):
        load_queries(tmp_path / "queries.yaml")
