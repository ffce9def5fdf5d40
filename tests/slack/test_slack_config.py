from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ENV_VARS, Settings, db_url_from_env, read_environment
from bot.errors import ConfigError

BOT = "xoxb-123-456-secretbotvalue"
APP = "xapp-1-A1-789-secretappvalue"


def test_socket_mode_is_the_default_and_needs_both_tokens() -> None:
    # given / when
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP})
    # then
    assert settings.mode == "socket"
    assert settings.api_url == "https://slack.com/api/"
    assert settings.db_url == "sqlite:///k8sfix.db"
    assert settings.ops_port == 8080


@pytest.mark.parametrize(("env", "http_port", "variable"), [
    ({}, None, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT}, None, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}, 3000, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": BOT, "K8SFIX_HTTP_PORT": "3000"}, None, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": APP}, None, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, None, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_API_URL": "slack-gov.com"}, None, "SLACK_API_URL"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "K8SFIX_TRIAGE_WINDOW": "soon"}, None, "K8SFIX_TRIAGE_WINDOW"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "K8SFIX_TRIAGE_REPEAT": "emoji"}, None, "K8SFIX_TRIAGE_REPEAT"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "K8SFIX_OPS_PORT": "70000"}, None, "K8SFIX_OPS_PORT"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "K8SFIX_DB_URL": "/data/x.db"}, None, "K8SFIX_DB_URL"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "K8SFIX_WORKERS": "0"}, None, "K8SFIX_WORKERS"),
    ({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "HTTPS_PROXY": "proxy:3128"}, None, "HTTPS_PROXY"),
])
def test_invalid_settings_name_the_variable_and_hide_secrets(env: dict[str, str], http_port: int | None,
                                                            variable: str) -> None:
    # when
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env, http_port=http_port)
    # then
    message = str(caught.value)
    assert message.startswith(variable) or f"\n  - {variable}" in message
    assert "docs/slack-app.md" in message
    assert BOT not in message and APP not in message and "xoxp-user-token" not in message


def test_http_mode_and_every_option() -> None:
    # given
    env = {
        "SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": "s3cr3t", "K8SFIX_HTTP_PORT": "3100",
        "SLACK_API_URL": "https://slack-gov.com/api", "https_proxy": "http://proxy.internal:3128",
        "K8SFIX_DB_PATH": "/data/k8sfix.db", "K8SFIX_TRIAGE_CHANNELS": "C1, C2,,",
        "K8SFIX_TRIAGE_WINDOW": "600", "K8SFIX_TRIAGE_REPEAT": "Reaction", "K8SFIX_LOG_LEVEL": "debug",
        "K8SFIX_SLASH_COMMAND": "/k8sfix-staging", "K8SFIX_KB_PATH": "/kb/team:/kb/more",
    }
    # when
    settings = Settings.from_env(env)
    # then
    assert settings.mode == "http" and settings.http_port == 3100
    assert settings.api_url == "https://slack-gov.com/api/" and settings.api_host == "slack-gov.com"
    assert settings.https_proxy == "http://proxy.internal:3128"
    assert settings.db_url == "sqlite:////data/k8sfix.db"
    assert settings.triage_channels == frozenset({"C1", "C2"})
    assert settings.triage_window == 600 and settings.triage_repeat == "reaction"
    assert settings.debug and settings.slash_command == "/k8sfix-staging"
    assert settings.kb_dirs == ("/kb/team", "/kb/more")


def test_http_flag_overrides_the_environment() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": "s"}, http_port=4000)
    assert settings.mode == "http" and settings.http_port == 4000


def test_repr_never_shows_tokens() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_SIGNING_SECRET": "sigsec"})
    shown = repr(settings)
    assert BOT not in shown and APP not in shown and "sigsec" not in shown


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    env_file = tmp_path / "k8sfix.env"
    env_file.write_text(f"SLACK_BOT_TOKEN={BOT}\nSLACK_APP_TOKEN={APP}\nK8SFIX_WORKERS=3\n", encoding="utf-8")
    monkeypatch.setenv("K8SFIX_WORKERS", "5")
    # when
    settings = Settings.from_env(read_environment(env_file))
    # then
    assert settings.workers == 5 and settings.bot_token == BOT


def test_a_missing_env_file_named_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_environment(tmp_path / "missing.env")


def test_db_url_needs_no_slack_token() -> None:
    assert db_url_from_env({"K8SFIX_DB_URL": "postgresql+psycopg://k8sfix@db/k8sfix"}).startswith("postgresql")
    assert db_url_from_env({"K8SFIX_DB_PATH": "/var/lib/k8sfix/db.sqlite"}) == "sqlite:////var/lib/k8sfix/db.sqlite"


def test_every_documented_variable_is_read_by_the_parser() -> None:
    source = (Path(__file__).parents[2] / "bot" / "config.py").read_text(encoding="utf-8")
    for name, _default, _meaning in ENV_VARS:
        assert source.count(f'"{name}"') >= 2, name
