"""Shell conventions of the console script: pipes, terminals (under a real pty), colour, width, completion."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

K8SFIX = shutil.which("k8sfix", path=str(Path(sys.executable).parent)) or shutil.which("k8sfix")
pytestmark = pytest.mark.skipif(K8SFIX is None, reason="k8sfix console script is not installed")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIMEOUT_S = 60.0


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([K8SFIX, *args], input=stdin, capture_output=True, timeout=TIMEOUT_S, env=full_env,
                          check=False, cwd=cwd)


def run_in_pty(*args: str, columns: int = 60, env: dict[str, str] | None = None,
               typed: bytes | None = None, wait_for: bytes | None = None) -> tuple[int, str]:
    """Run the console script with stdin, stdout and stderr on a pseudo-terminal of ``columns`` columns.

    When ``wait_for`` is given, ``typed`` is written once that text has appeared (then end-of-file).
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full_env.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([K8SFIX, *args], stdin=slave, stdout=slave, stderr=slave, env=full_env,
                            close_fds=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + TIMEOUT_S
    sent = typed is None
    try:
        while time.monotonic() < deadline:
            if not sent and wait_for is not None and wait_for in output:
                os.write(master, typed or b"")
                os.write(master, b"\n\x04")
                sent = True
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return code, output.decode("utf-8", errors="replace").replace("\r\n", "\n")


# -- input ------------------------------------------------------------------------------------------------


def test_piped_text_without_a_dash_is_matched() -> None:
    proc = run("--json", stdin=b"E0101 conntrack returned error: error looking for path of conntrack\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "kube-proxy-conntrack-missing"
    proc = run(stdin=b"hnsCall failed in Win32: The wrong diskette is in the drive.\n")
    assert proc.returncode == 0 and b"[win-hns-wrong-diskette]" in proc.stdout


def test_dash_at_a_terminal_prints_a_hint_before_waiting() -> None:
    code, out = run_in_pty("match", "-", wait_for=b"Ctrl-D", typed=b"conntrack not found")
    assert code == 0, out
    assert out.index("Ctrl-D") < out.index("[kube-proxy-conntrack-missing]")


def test_no_argument_at_a_terminal_still_prints_help() -> None:
    code, out = run_in_pty()
    assert code == 2 and "usage: k8sfix" in out


def test_a_question_that_starts_with_a_command_word_is_matched_as_text() -> None:
    proc = run("check", "why", "dns", "fails", "in", "my", "pod")
    assert proc.returncode == 0, proc.stderr
    assert b"dns" in proc.stdout.lower() and b"confidence" in proc.stdout
    proc = run("stats", "for", "node", "NotReady", "--json")  # an option: taken as the command, with a hint
    assert proc.returncode == 2
    assert b'quote it: k8sfix match "stats for node NotReady"' in proc.stderr


def test_a_command_in_its_own_syntax_is_still_the_command() -> None:
    proc = run("kb", "show", "no-such-topic-id")
    assert proc.returncode == 1 and b"no entry 'no-such-topic-id'" in proc.stderr


# -- terminal output -----------------------------------------------------------------------------------


def test_terminal_output_wraps_with_hanging_indents_and_colours_title_and_confidence() -> None:
    code, out = run_in_pty("Failed to allocate address", "--full", columns=60)
    assert code == 0, out
    plain = ANSI.sub("", out)
    lines = plain.split("\n")
    long_lines = [line for line in lines if len(line) > 60 and not line.lstrip().startswith("$ ")]
    assert long_lines == []
    step = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    assert lines[step + 1].startswith("     ") and not lines[step + 1].startswith("      ")  # hangs under text
    assert "\x1b[1mPod cannot get an IP address" in out
    assert re.search(r"confidence: \x1b\[32mhigh", out)
    # a command is never broken: its purpose goes above it
    assert any(line.strip() == "$ kubectl get nnc -n kube-system -o wide" for line in lines)


def test_kb_show_wraps_on_a_terminal_too() -> None:
    code, out = run_in_pty("kb", "show", "node-notready", columns=50)
    assert code == 0, out
    lines = ANSI.sub("", out).split("\n")
    assert [line for line in lines if len(line) > 50 and not line.lstrip().startswith("$ ")] == []
    assert out.startswith("\x1b[1m")


def test_no_color_and_pipes_are_plain() -> None:
    code, out = run_in_pty("conntrack not found", env={"NO_COLOR": "1"})
    assert code == 0 and "\x1b[" not in out and "[kube-proxy-conntrack-missing]" in out
    proc = run("conntrack not found")
    assert b"\x1b[" not in proc.stdout
    long = [line for line in proc.stdout.decode().split("\n") if len(line) > 100]
    assert long  # a pipe is not wrapped: one line per item for grep


def test_compact_by_default_and_every_section_with_full() -> None:
    compact = run("Failed to allocate address").stdout.decode()
    full = run("Failed to allocate address", "--full").stdout.decode()
    assert "Cause 1:" in compact and "other possible causes:" in compact
    assert "k8sfix kb show pod-ip-allocation-failed (or match --full)" in compact
    assert "Configure fast garbage collection" in full and "Configure fast garbage collection" not in compact
    assert "kubectl get nnc -n kube-system -o wide" in full
    assert len(compact.splitlines()) < len(full.splitlines())
    assert "(or match --full)" not in full


def test_confidence_line_gives_the_band_and_a_reason() -> None:
    out = run("conntrack not found").stdout.decode()
    assert re.search(r"confidence: high — clearly ahead of the other topics \(0\.\d\d\)", out), out


def test_a_language_without_answers_falls_back_visibly() -> None:
    proc = run("node not ready", "--lang", "es")
    assert proc.returncode == 0
    assert b"--lang es: no answers are written in Spanish; answers exist in en, pt, ru, zh, zh-Hant" in proc.stderr
    assert json.loads(run("node not ready", "--lang", "ja", "--json").stdout)["answer_language"] == "en"
    assert b"no answers are written" not in run("node not ready", "--lang", "pt").stderr
    proc = run("kb", "show", "node-notready", "--lang", "de")
    assert proc.returncode == 0 and b"no answers are written in German" in proc.stderr


@pytest.mark.parametrize("args", [("kb", "list"), ("eval", "QUERIES")])
def test_tables_fit_80_columns(args: tuple[str, ...], tmp_path: Path) -> None:
    queries = tmp_path / "q.yaml"
    queries.write_text(
        "- {query: 'the controller manager acts on stale objects after an etcd backup was restored on the "
        "control plane', expect: svc-no-endpoints, lang: en, kind: describe}\n"
        "- {query: 'conntrack not found', expect: kube-proxy-conntrack-missing, lang: en, kind: error}\n",
        encoding="utf-8")
    proc = run(*(str(queries) if a == "QUERIES" else a for a in args))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines and max(len(line) for line in lines) <= 80


def test_completion_scripts_name_every_command_and_option() -> None:
    for shell in ("bash", "zsh"):
        proc = run("completion", shell)
        assert proc.returncode == 0, proc.stderr
        script = proc.stdout.decode()
        for word in ("match", "stats", "completion", "--full", "--lang", "--snapshot"):
            assert word in script


# -- stats never creates a store -------------------------------------------------------------------------


def test_stats_without_a_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    env = {k: "" for k in ("K8SFIX_DB_URL", "K8SFIX_DB_PATH")}
    proc = run("stats", env=env, cwd=tmp_path)
    assert proc.returncode == 1
    assert b"there is no k8sfix store at k8sfix.db" in proc.stderr
    proc = run("stats", "--db", f"sqlite:///{tmp_path / 'typo' / 'k8sfx.db'}", env=env, cwd=tmp_path)
    assert proc.returncode == 1 and b"k8sfx.db" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_postgres_scheme_gets_the_driver_hint() -> None:
    proc = run("stats", "--db", "postgres://k8sfix:secret@127.0.0.1:1/k8sfix")
    assert proc.returncode == 1
    assert b"postgresql+psycopg://" in proc.stderr and b"secret" not in proc.stderr
    assert b"Traceback" not in proc.stderr
