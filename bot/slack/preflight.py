"""Before serving: one ``auth.test`` call that turns "Slack cannot be reached" into one clear line.

Bolt's own token check at start-up retries, logs every attempt and ends in a
long traceback when Slack is unreachable (a firewall, a missing proxy, a
mistyped ``SLACK_API_URL``). This call has no retries and no logging, and its
failure is a :class:`~bot.errors.ConfigError` that names the call, the URL and
what to change.
"""

from __future__ import annotations

import logging
import socket
import ssl
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.errors import ConfigError
from bot.redact import redact

PREFLIGHT_TIMEOUT_S = 10

_silent = logging.getLogger("bot.slack.preflight")
_silent.addHandler(logging.NullHandler())
_silent.propagate = False


def check_slack(settings: Settings) -> None:
    """Call ``auth.test`` once with the bot token.

    Raises:
        ConfigError: Slack could not be reached, or did not accept the token; one line, no secret.
    """
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, proxy=settings.https_proxy,
                       timeout=PREFLIGHT_TIMEOUT_S, logger=_silent, retry_handlers=[])
    url = f"{settings.api_url}auth.test"
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "no response"
        raise ConfigError(f"SLACK_BOT_TOKEN: auth.test at {url} refused the bot token ({error}); copy the "
                          "Bot User OAuth Token (xoxb-...) of the installed app, see docs/slack-app.md") from None
    except (URLError, OSError, SlackClientError) as exc:
        raise ConfigError(f"auth.test to {url} failed: {_reason(exc)}; {_network_hint(settings)}") from None


def _reason(exc: BaseException) -> str:
    """The root cause in a few words (connection refused, name not resolved, TLS, timeout)."""
    cause: BaseException | object = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(cause, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(cause, ssl.SSLError):
        return f"TLS failed ({cause.reason or cause})"
    if isinstance(cause, TimeoutError | socket.timeout):
        return f"no answer within {PREFLIGHT_TIMEOUT_S}s"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return redact(str(cause))[:160]


def _network_hint(settings: Settings) -> str:
    """What to change: the proxy in use, or how to set one."""
    if settings.https_proxy:
        return (f"the call went through the proxy from HTTPS_PROXY ({_without_credentials(settings.https_proxy)}): "
                "check that it is reachable and allows this host")
    return ("this host cannot reach Slack directly: set HTTPS_PROXY=http://PROXY:PORT if outbound traffic needs "
            "a proxy, or fix SLACK_API_URL (see docs/configuration.md)")


def _without_credentials(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
