"""``k8sfix serve`` start-up errors and ``k8sfix stats``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fakes import BOT_TOKEN, FakeSlack

from bot.cli.main import main
from bot.store import NewQuery, open_store

SECRET_LOOKING = "xoxb-9999-8888-do-not-print-me"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    import logging
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "K8SFIX_")) or name.lower() == "https_proxy":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.ops.shutdown.ShutdownSignal.install", lambda self: None)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield monkeypatch
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_serve_names_the_missing_variable(clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 1
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    clean_env.setenv("SLACK_BOT_TOKEN", SECRET_LOOKING)
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN is not set" in err and SECRET_LOOKING not in err
    assert main(["serve", "--http", "3000"]) == 1
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_serve_reads_a_dotenv_file(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={SECRET_LOOKING}\nK8SFIX_HTTP_PORT=3000\n", encoding="utf-8")
    assert main(["serve"]) == 1
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_serve_reports_a_token_slack_rejects(clean_env: pytest.MonkeyPatch, fake: FakeSlack, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fake.fail("auth.test", "invalid_auth")
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    clean_env.setenv("SLACK_API_URL", fake.api_url)
    clean_env.setenv("K8SFIX_DB_PATH", str(tmp_path / "db.sqlite"))
    clean_env.setenv("K8SFIX_OPS_PORT", "0")
    clean_env.setenv("K8SFIX_LOG_FORMAT", "text")
    assert main(["serve", "--http", "3000"]) == 1
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and BOT_TOKEN not in err


def test_stats_prints_the_helpful_rate_and_the_kb_gaps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given
    url = f"sqlite:///{tmp_path / 'k8sfix.db'}"
    store = open_store(url)
    qid = store.record_query(NewQuery(entry_point="command", text="conntrack", lang="en",
                                      entry_id="kube-proxy-conntrack-missing", confidence="high", score=0.9))
    store.record_feedback(qid, "U1", True)
    store.record_feedback(qid, "U2", False)
    for _ in range(2):
        store.record_query(NewQuery(entry_point="mention", text="helm upgrade stuck pending-upgrade",
                                    lang="en", abstained=True))
    store.close()
    # when
    assert main(["stats", "--db", url]) == 0
    out = capsys.readouterr().out
    # then
    assert "Questions: 3" in out
    assert "kube-proxy-conntrack-missing        1      2      50%" in out
    assert "    2  " in out and "helm upgrade stuck pending-upgrade" in out
    assert main(["stats", "--db", url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topics"][0]["helpful_rate"] == 0.5 and data["unmatched"][0]["count"] == 2


def test_stats_on_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(f"sqlite:///{tmp_path / 'new.db'}").close()
    monkeypatch.setenv("K8SFIX_DB_PATH", str(tmp_path / "new.db"))
    monkeypatch.delenv("K8SFIX_DB_URL", raising=False)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "(no answers yet)" in out and "(none)" in out


def test_stats_never_creates_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K8SFIX_DB_PATH", str(tmp_path / "missing.db"))
    monkeypatch.delenv("K8SFIX_DB_URL", raising=False)
    assert main(["stats"]) == 1
    assert "there is no k8sfix store at" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_serve_with_slack_unreachable_says_so_in_one_line(clean_env: pytest.MonkeyPatch, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    # given: a port nothing listens on
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api_url = f"http://127.0.0.1:{port}/api/"
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1-A1-1-abc")
    clean_env.setenv("SLACK_API_URL", api_url)
    clean_env.setenv("K8SFIX_DB_PATH", str(tmp_path / "db.sqlite"))
    clean_env.setenv("K8SFIX_OPS_PORT", "0")
    # when
    assert main(["serve"]) == 1
    # then
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"auth.test to {api_url}auth.test failed: connection refused" in err
    assert "HTTPS_PROXY" in err and BOT_TOKEN not in err


def test_serve_names_the_proxy_it_went_through(clean_env: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1-A1-1-abc")
    clean_env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    clean_env.setenv("HTTPS_PROXY", f"http://user:pw@127.0.0.1:{port}")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert f"through the proxy from HTTPS_PROXY (http://127.0.0.1:{port})" in err and "pw" not in err


def test_serve_reports_every_configuration_problem_at_once(clean_env: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    clean_env.setenv("K8SFIX_WORKERS", "many")
    clean_env.setenv("K8SFIX_OPS_PORT", "99999")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "4 configuration problems" in err and "docs/slack-app.md" in err
    for name in ("SLACK_BOT_TOKEN does not look like", "SLACK_APP_TOKEN is not set", "K8SFIX_WORKERS",
                 "K8SFIX_OPS_PORT"):
        assert name in err
    assert "xoxp-user-token" not in err
