"""Settings of the running bot, read from the environment and an optional ``.env`` file.

Every setting has one environment variable; :data:`ENV_VARS` lists them with their
defaults and meaning (the README's configuration reference is generated from the
same table). :meth:`Settings.from_env` validates everything at start and raises
:class:`~bot.errors.ConfigError` naming the variable at fault. Token values never
appear in a message, a ``repr`` or a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from bot.errors import ConfigError

Mode = Literal["socket", "http"]
RepeatStyle = Literal["reply", "reaction"]

DEFAULT_API_URL = "https://slack.com/api/"
DOCS_POINTER = "see docs/slack-app.md for the tokens and modes, docs/configuration.md for every variable"
_T = TypeVar("_T")
_problems: ContextVar[list[str] | None] = ContextVar("k8sfix_config_problems", default=None)
"""While :meth:`Settings.from_env` runs, validators add their problem here and go on, so that every
problem is reported at once; elsewhere (``db_url_from_env``) they raise at the first."""
DEFAULT_DB_PATH = "k8sfix.db"

ENV_VARS: tuple[tuple[str, str, str], ...] = (
    ("SLACK_BOT_TOKEN", "(required)", "Bot token (xoxb-...) used for every Web API call."),
    ("SLACK_APP_TOKEN", "(required in Socket Mode)", "App-level token (xapp-...) with connections:write."),
    ("SLACK_SIGNING_SECRET", "(required in HTTP mode)", "Signing secret that verifies requests from Slack."),
    ("SLACK_API_URL", DEFAULT_API_URL, "Slack Web API base URL (https://slack-gov.com/api/ for GovSlack)."),
    ("HTTPS_PROXY", "(none)", "Proxy for outbound calls to Slack (https_proxy is read too)."),
    ("K8SFIX_HTTP_PORT", "(unset: Socket Mode)", "Serve the Events API on this port instead of Socket Mode."),
    ("K8SFIX_HTTP_HOST", "0.0.0.0", "Address the HTTP-mode server binds to."),
    ("K8SFIX_OPS_PORT", "8080", "Port of /healthz, /readyz and /metrics; 0 switches them off."),
    ("K8SFIX_OPS_HOST", "0.0.0.0", "Address the ops server binds to."),
    ("K8SFIX_DB_URL", "(none)", "SQLAlchemy URL of the store, e.g. postgresql+psycopg://... for several replicas."),
    ("K8SFIX_DB_PATH", DEFAULT_DB_PATH, "SQLite file of the store when K8SFIX_DB_URL is not set."),
    ("K8SFIX_KB_PATH", "(none)", "Extra KB folders layered over the built-in one, ':'-separated."),
    ("K8SFIX_SLASH_COMMAND", "/k8sfix", "Name of the slash command, as in the app manifest."),
    ("K8SFIX_TRIAGE_CHANNELS", "(none)", "Channel ids triaged from the start, comma-separated."),
    ("K8SFIX_TRIAGE_WINDOW", "1800", "Seconds during which the same topic in a channel gets a short repeat."),
    ("K8SFIX_TRIAGE_REPEAT", "reply", "How a repeat is marked: reply ('same as' link) or reaction."),
    ("K8SFIX_WORKERS", "8", "Threads that compute and post answers."),
    ("K8SFIX_MAX_PASTE_CHARS", "200000", "Longer pastes are cut to their head and tail before matching."),
    ("K8SFIX_MAX_FILE_BYTES", "262144", "Largest attached text file or snippet that is read."),
    ("K8SFIX_DEDUP_TTL", "86400", "Seconds an event id is remembered to drop retries and duplicates."),
    ("K8SFIX_PENDING_LEASE", "30", "Seconds after which a question left pending by a replica that died is "
                                   "answered by another one (or by this one after its restart)."),
    ("K8SFIX_SHUTDOWN_GRACE", "25", "Seconds in-flight answers get to finish after SIGTERM."),
    ("K8SFIX_LOG_LEVEL", "INFO", "Log level; DEBUG also logs the (redacted) message text."),
    ("K8SFIX_LOG_FORMAT", "json", "json (one object per line) or text."),
)
"""(variable, default, meaning) of every setting, in documentation order."""


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one bot process; secrets are hidden from ``repr``."""

    bot_token: str = field(repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    mode: Mode = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    ops_host: str = "0.0.0.0"
    ops_port: int = 8080
    api_url: str = DEFAULT_API_URL
    https_proxy: str | None = None
    db_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    kb_dirs: tuple[str, ...] = ()
    slash_command: str = "/k8sfix"
    triage_channels: frozenset[str] = frozenset()
    triage_window: float = 1800.0
    triage_repeat: RepeatStyle = "reply"
    workers: int = 8
    max_paste_chars: int = 200_000
    max_file_bytes: int = 262_144
    dedup_ttl: float = 86_400.0
    pending_lease: float = 30.0
    shutdown_grace: float = 25.0
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"

    @property
    def api_host(self) -> str:
        """Host name of the Slack Web API (``slack.com`` unless configured)."""
        return urlsplit(self.api_url).hostname or ""

    @property
    def debug(self) -> bool:
        """Whether debug logging (which may include redacted message text) is on."""
        return self.log_level == "DEBUG"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        http_port: int | None = None,
        env_file: str | Path | None = None,
    ) -> Settings:
        """Read and validate the settings.

        Args:
            environ: Variables to read; defaults to ``os.environ`` layered over ``.env``.
            http_port: Serve HTTP mode on this port (the ``--http`` flag); overrides
                ``K8SFIX_HTTP_PORT``.
            env_file: The dotenv file to read when ``environ`` is None (default ``.env``;
                a missing file is fine).

        Returns:
            The settings.

        Raises:
            ConfigError: A required variable is missing or a value is invalid; the
                message names the variable and never contains a secret.
        """
        env = dict(environ) if environ is not None else read_environment(env_file)
        problems: list[str] = []
        token = _problems.set(problems)
        try:
            settings = _parse(env, http_port)
        finally:
            _problems.reset(token)
        if len(problems) == 1:
            raise ConfigError(f"{problems[0]} ({DOCS_POINTER})")
        if problems:
            listed = "\n".join(f"  - {p}" for p in problems)
            raise ConfigError(f"{len(problems)} configuration problems ({DOCS_POINTER}):\n{listed}")
        return settings


def read_environment(env_file: str | Path | None = None) -> dict[str, str]:
    """``os.environ`` layered over the dotenv file (the environment wins)."""
    from dotenv import dotenv_values

    path = Path(env_file) if env_file is not None else Path(".env")
    if env_file is not None and not path.is_file():
        raise ConfigError(f"the env file {path} does not exist")
    values = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}
    return {**values, **os.environ}


def db_url_from_env(environ: Mapping[str, str]) -> str:
    """The store's SQLAlchemy URL from ``K8SFIX_DB_URL`` or ``K8SFIX_DB_PATH`` (no Slack token needed)."""
    return _db_url(environ.get("K8SFIX_DB_URL", "").strip(),
                   environ.get("K8SFIX_DB_PATH", "").strip() or DEFAULT_DB_PATH)


def _parse(env: dict[str, str], http_port: int | None) -> Settings:
    def get(name: str, default: str = "") -> str:
        return env.get(name, default).strip()

    port_text = str(http_port) if http_port is not None else get("K8SFIX_HTTP_PORT")
    mode: Mode = "http" if port_text else "socket"
    bot_token = _require(env, "SLACK_BOT_TOKEN", "xoxb-", "a bot token")
    app_token = signing_secret = ""
    if mode == "socket":
        app_token = _require(env, "SLACK_APP_TOKEN", "xapp-", "an app-level token (Socket Mode needs one)")
    else:
        signing_secret = _require(env, "SLACK_SIGNING_SECRET", "", "the app's signing secret (HTTP mode needs it)")
    return Settings(
        bot_token=bot_token,
        app_token=app_token,
        signing_secret=signing_secret,
        mode=mode,
        http_host=get("K8SFIX_HTTP_HOST", "0.0.0.0"),
        http_port=_port("K8SFIX_HTTP_PORT" if http_port is None else "--http", port_text or "3000"),
        ops_host=get("K8SFIX_OPS_HOST", "0.0.0.0"),
        ops_port=_port("K8SFIX_OPS_PORT", get("K8SFIX_OPS_PORT", "8080"), allow_zero=True),
        api_url=_api_url(get("SLACK_API_URL", DEFAULT_API_URL) or DEFAULT_API_URL),
        https_proxy=_proxy(env),
        db_url=db_url_from_env(env),
        kb_dirs=tuple(p for p in get("K8SFIX_KB_PATH").split(os.pathsep) if p.strip()),
        slash_command=_slash_command(get("K8SFIX_SLASH_COMMAND", "/k8sfix") or "/k8sfix"),
        triage_channels=frozenset(c.strip() for c in get("K8SFIX_TRIAGE_CHANNELS").split(",") if c.strip()),
        triage_window=_number("K8SFIX_TRIAGE_WINDOW", get("K8SFIX_TRIAGE_WINDOW", "1800"), minimum=0),
        triage_repeat=_choice("K8SFIX_TRIAGE_REPEAT", get("K8SFIX_TRIAGE_REPEAT", "reply").lower(),
                              ("reply", "reaction")),  # type: ignore[arg-type]
        workers=int(_number("K8SFIX_WORKERS", get("K8SFIX_WORKERS", "8"), minimum=1, integer=True)),
        max_paste_chars=int(_number("K8SFIX_MAX_PASTE_CHARS", get("K8SFIX_MAX_PASTE_CHARS", "200000"),
                                    minimum=1000, integer=True)),
        max_file_bytes=int(_number("K8SFIX_MAX_FILE_BYTES", get("K8SFIX_MAX_FILE_BYTES", "262144"),
                                   minimum=0, integer=True)),
        dedup_ttl=_number("K8SFIX_DEDUP_TTL", get("K8SFIX_DEDUP_TTL", "86400"), minimum=60),
        pending_lease=_number("K8SFIX_PENDING_LEASE", get("K8SFIX_PENDING_LEASE", "30"), minimum=1),
        shutdown_grace=_number("K8SFIX_SHUTDOWN_GRACE", get("K8SFIX_SHUTDOWN_GRACE", "25"), minimum=0),
        log_level=_choice("K8SFIX_LOG_LEVEL", get("K8SFIX_LOG_LEVEL", "INFO").upper(),
                          ("DEBUG", "INFO", "WARNING", "ERROR")),
        log_format=_choice("K8SFIX_LOG_FORMAT", get("K8SFIX_LOG_FORMAT", "json").lower(),
                           ("json", "text")),  # type: ignore[arg-type]
    )


def _fail(message: str, default: _T) -> _T:
    """Record a problem and go on with ``default`` while settings are parsed; raise otherwise."""
    problems = _problems.get()
    if problems is None:
        raise ConfigError(message)
    problems.append(message)
    return default


def _require(env: Mapping[str, str], name: str, prefix: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        return _fail(f"{name} is not set: it must hold {what}", "")
    if prefix and not value.startswith(prefix):
        return _fail(f"{name} does not look like {what}: it should start with {prefix!r}", "")
    return value


def _port(name: str, text: str, *, allow_zero: bool = False) -> int:
    if not text.isdigit() or not (0 if allow_zero else 1) <= int(text) <= 65535:
        return _fail(f"{name} must be a TCP port number{' or 0' if allow_zero else ''}, not {text!r}", 0)
    return int(text)


def _number(name: str, text: str, *, minimum: float, integer: bool = False) -> float:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        return _fail(f"{name} must be {'an integer' if integer else 'a number'}, not {text!r}", minimum)
    if value < minimum:
        return _fail(f"{name} must be at least {minimum:g}, not {text!r}", minimum)
    return value


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        return _fail(f"{name} must be one of {', '.join(choices)}, not {text!r}", choices[0])
    return text


def _api_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _fail(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, not {text!r}",
                     DEFAULT_API_URL)
    return text if text.endswith("/") else text + "/"


def _proxy(env: Mapping[str, str]) -> str | None:
    for name in ("HTTPS_PROXY", "https_proxy"):
        value = env.get(name, "").strip()
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return _fail(f"{name} must be a proxy URL such as http://proxy:3128", None)
            return value
    return None


def _db_url(url: str, path: str) -> str:
    if url:
        if "://" not in url:
            return _fail("K8SFIX_DB_URL must be an SQLAlchemy URL such as sqlite:////data/k8sfix.db",
                         f"sqlite:///{path}")
        return url
    return f"sqlite:///{path}"


def _slash_command(text: str) -> str:
    if not text.startswith("/") or " " in text:
        return _fail(f"K8SFIX_SLASH_COMMAND must start with '/' and hold no space, not {text!r}", "/k8sfix")
    return text
