"""The ``k8sfix`` console command, run as a real process through its installed entry point."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

K8SFIX = shutil.which("k8sfix", path=str(Path(sys.executable).parent)) or shutil.which("k8sfix")
pytestmark = pytest.mark.skipif(K8SFIX is None, reason="k8sfix console script is not installed")
DATA = Path(__file__).parent.parent / "data"


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([K8SFIX, *args], input=stdin, capture_output=True, timeout=60, env=full_env, check=False)


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8")


def kb_ids() -> set[str]:
    data = Path(__file__).parent.parent / "data"
    return {line.strip() for name in ("catalogue_ids.txt", "common_ids.txt")
            for line in (data / name).read_text().splitlines() if line.strip()}


def test_text_argument_prints_the_answer_with_cause_fix_and_commands() -> None:
    proc = run("conntrack not found")
    assert proc.returncode == 0, proc.stderr
    text = out(proc)
    assert "[kube-proxy-conntrack-missing]" in text
    assert "Cause:" in text and "Fix:" in text
    assert "yum install -y conntrack-tools" in text
    assert "Source: 004_082db79a4e02d5ad.txt" in out(run("conntrack not found", "--full"))


def test_stdin_with_dash_reads_a_piped_log() -> None:
    log = b"I0101 00:00:00.000000 1 x.go:1] ok\nhnsCall failed in Win32: The wrong diskette is in the drive.\n"
    proc = run("match", "-", "--json", stdin=log)
    data = json.loads(out(proc))
    assert data["matches"][0]["id"] == "win-hns-wrong-diskette"
    assert data["matches"][0]["evidence"] == ["hnsCall failed in Win32: The wrong diskette is in the drive."]


def test_json_schema_is_stable() -> None:
    data = json.loads(out(run("Failed to allocate address", "--json", "--top", "2")))
    assert set(data) == {"detected_language", "answer_language", "abstained", "matches", "findings", "siblings"}
    assert len(data["matches"]) == 2
    assert set(data["matches"][0]) == {"id", "title", "score", "confidence", "probability", "origin", "evidence",
                                       "causes", "why"}
    assert data["matches"][0]["causes"], "every entry has at least one cause, best fitting first"
    assert data["matches"][0]["confidence"] in {"high", "medium", "low"}


def test_file_option_reads_binary_junk_without_crashing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 100 + b"\nconntrack returned error: error looking for path of conntrack\n")
    proc = run("-f", str(junk), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out(proc))["matches"][0]["id"] == "kube-proxy-conntrack-missing"
    assert b"mostly binary data" in proc.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_a_file_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    """PowerShell 5 redirects output as UTF-16 with a mark; Notepad saves UTF-8 with one."""
    log = tmp_path / "kube-proxy.log"
    text = "I1121 starting kube-proxy\r\nconntrack returned error: error looking for path of conntrack\r\n"
    data = text.encode(encoding)
    log.write_bytes(data if encoding != "utf-16-be" else b"\xfe\xff" + data)
    proc = run("-f", str(log), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out(proc))["matches"][0]["id"] == "kube-proxy-conntrack-missing"
    assert b"binary" not in proc.stderr


def test_random_bytes_are_answered_in_english_with_a_note(tmp_path: Path) -> None:
    """Random bytes decode to stray letters of many scripts; they must not pass for a Chinese question."""
    junk = tmp_path / "random.bin"
    junk.write_bytes(random.Random(3).randbytes(4000))
    proc = run("-f", str(junk), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out(proc))
    assert data["answer_language"] == "en"
    assert b"mostly binary data" in proc.stderr


def test_unreadable_file_is_named_in_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    proc = run("-f", str(missing))
    assert proc.returncode == 1
    assert str(missing) in proc.stderr.decode()


@pytest.mark.parametrize("args", [("match",), ("match", "   "), ("match", "-")])
def test_empty_input_is_a_usage_error(args: tuple[str, ...]) -> None:
    proc = run(*args, stdin=b"")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr.decode()


def test_no_arguments_prints_help_and_exits_2() -> None:
    proc = run()
    assert proc.returncode == 2
    assert "usage: k8sfix" in proc.stderr.decode()


def test_answer_language_follows_the_question() -> None:
    assert "Causa" in out(run("os pods não conseguem alocar endereço IP, Failed to allocate address"))
    assert "原因" in out(run("kube-proxy 日志一直报 conntrack 找不到"))
    assert "原因" in out(run("kube-proxy 日誌一直報 conntrack 找不到"))
    assert "日誌" in out(run("kube-proxy 日誌一直報 conntrack 找不到"))


def test_lang_option_overrides_detection() -> None:
    assert "Причина" in out(run("conntrack not found", "--lang", "ru"))


def test_abstention_says_so_and_lists_closest_topics() -> None:
    text = out(run("the jenkins build is slow today"))
    assert text.startswith("No confident match.")


def test_kb_list_json_has_titles_in_every_language() -> None:
    rows = json.loads(out(run("kb", "list", "--json")))
    assert {r["id"] for r in rows} == kb_ids()
    conntrack = next(r for r in rows if r["id"] == "kube-proxy-conntrack-missing")
    assert set(conntrack["titles"]) == {"en", "pt", "ru", "zh"}
    assert "kube-proxy" in conntrack["tags"]


def test_kb_show_prints_an_entry_and_suggests_close_ids() -> None:
    assert "conntrack-tools" in out(run("kb", "show", "kube-proxy-conntrack-missing", "--lang", "pt"))
    proc = run("kb", "show", "kube-proxy-conntrak-missing")
    assert proc.returncode == 1
    assert "did you mean: kube-proxy-conntrack-missing" in proc.stderr.decode()


def test_kb_validate_passes_on_the_builtin_kb() -> None:
    proc = run("kb", "validate")
    assert proc.returncode == 0, proc.stderr
    assert out(proc).startswith(f"OK: {len(kb_ids())} entries")


def test_kb_validate_fails_on_a_broken_team_folder(tmp_path: Path) -> None:
    (tmp_path / "team-broken.yaml").write_text("id: team-broken\nkind: error\n", encoding="utf-8")
    proc = run("kb", "validate", str(tmp_path))
    assert proc.returncode == 1
    assert "team-broken.yaml: text: is required" in proc.stderr.decode()


def test_team_runbook_folder_from_the_environment_is_matched(tmp_path: Path) -> None:
    (tmp_path / "vault-agent-denied.md").write_text(
        "# Vault agent cannot log in\n\n## Meaning\n\n"
        "The sidecar logs `vault: permission denied on auth/kubernetes/login`."
        "\n\n## Mitigation\n\nBind the service account to the Vault role.\n",
        encoding="utf-8",
    )
    proc = run("vault: permission denied on auth/kubernetes/login", "--json", env={"K8SFIX_KB_PATH": str(tmp_path)})
    assert json.loads(out(proc))["matches"][0]["id"] == "vault-agent-denied"


def test_eval_json_reports_summary_and_results_in_order(tmp_path: Path) -> None:
    queries = [
        {"query": "conntrack not found", "expect": "kube-proxy-conntrack-missing", "lang": "en", "kind": "describe"},
        {"query": "hello there", "expect": "none", "lang": "en", "kind": "describe"},
    ]
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(queries), encoding="utf-8")
    data = json.loads(out(run("eval", str(path), "--json")))
    assert data["summary"]["overall"]["top1"] == 1.0
    assert data["summary"]["overall"]["negatives_high"] == 0.0
    assert [r["expect"] for r in data["results"]] == ["kube-proxy-conntrack-missing", "none"]
    assert data["results"][0]["top"][0] == "kube-proxy-conntrack-missing"
    assert data["results"][1]["confidence"] in {"low", "none"}


def test_demo_runs_on_the_embedded_sample() -> None:
    proc = run("demo")
    assert proc.returncode == 0, proc.stderr
    assert "[kube-proxy-conntrack-missing]" in out(proc)


def test_matching_path_does_not_import_slack_or_kubernetes() -> None:
    code = ("import sys; from bot.cli.main import main; main(['conntrack not found']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'slack_bolt','slack_sdk','kubernetes'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert proc.stdout.decode().strip().splitlines()[-1] == "[]"


def test_a_cached_match_imports_one_sub_command_and_no_yaml(tmp_path: Path) -> None:
    """With its index cached, ``k8sfix "text"`` loads neither the KB parsers nor other sub-commands."""
    code = ("import sys; from bot.cli.main import main; main(['conntrack not found']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'yaml' or m.endswith('_cmd')))")
    env = {**os.environ, "K8SFIX_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, check=False, env=env)
            for _ in range(2)]
    first, second = (proc.stdout.decode().strip().splitlines()[-1] for proc in runs)
    assert "'yaml'" in first  # the first run parses the KB files and builds the index
    assert second == "['bot.cli.match_cmd']"


def test_eval_reads_every_query_file_of_a_folder(tmp_path: Path) -> None:
    for name, query in (("a.yaml", "conntrack not found"), ("b.yaml", "hello there")):
        expect = "kube-proxy-conntrack-missing" if name == "a.yaml" else "none"
        (tmp_path / name).write_text(yaml.safe_dump([{"query": query, "expect": expect}]), encoding="utf-8")
    data = json.loads(out(run("eval", str(tmp_path), "--json")))
    assert [r["expect"] for r in data["results"]] == ["kube-proxy-conntrack-missing", "none"]
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("eval", str(empty))
    assert proc.returncode == 1 and b"no *.yaml query files" in proc.stderr
