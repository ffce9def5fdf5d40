"""Oversized and hostile input through the real ``k8sfix`` process: cut with a notice, answered, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

K8SFIX = shutil.which("k8sfix", path=str(Path(sys.executable).parent)) or shutil.which("k8sfix")
pytestmark = pytest.mark.skipif(K8SFIX is None, reason="k8sfix console script is not installed")
CONNTRACK = (b'E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             b'exec: "conntrack": executable file not found in $PATH\n')


def run(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([K8SFIX, *args], input=stdin, capture_output=True, timeout=120, env=dict(os.environ),
                          check=False)


def test_ten_megabytes_on_stdin_are_cut_with_a_notice_and_answered() -> None:
    # given: 10 MB of chatter with the error at the end
    chatter = b"I1121 12:00:00.000 1 controller.go:1] synced pod web-1 in namespace default\n"
    stdin = chatter * (10_000_000 // len(chatter)) + CONNTRACK
    # when
    proc = run("match", "-", "--json", stdin=stdin)
    # then
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b"matching its first and last parts" in proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "kube-proxy-conntrack-missing"


@pytest.mark.parametrize(
    "stdin",
    [b"\xff\xfe\xfa" * 100_000, b'{"msg": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     b"<@" * 200_000, b"a." * 300_000, b"\x1b[" * 200_000, b"ffff:" * 200_000],
    ids=["invalid utf-8", "deep json", "slack refs", "dots", "ansi", "ipv6-like"],
)
def test_hostile_stdin_gets_an_answer_or_an_abstention(stdin: bytes) -> None:
    proc = run("match", "-", "--json", stdin=stdin)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "abstained" in json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"- query: x\n  expect: " + b"[" * 900 + b"]" * 900, b"nests deeper than 64 levels"),
     (b"- &a {query: x, expect: none}\n- [" + b"*a, " * 12_000 + b"*a]", b"aliases expand to"),
     (b"- query: \xff\xfe\n  expect: none\n", b"is not UTF-8 text")],
    ids=["deep", "aliases", "latin-1"],
)
def test_eval_refuses_a_hostile_query_file_with_its_name(tmp_path: Path, content: bytes, expected: bytes) -> None:
    path = tmp_path / "queries.yaml"
    path.write_bytes(content)
    proc = subprocess.run([K8SFIX, "eval", str(path)], capture_output=True, timeout=120, check=False)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert str(path).encode() in proc.stderr and expected in proc.stderr
