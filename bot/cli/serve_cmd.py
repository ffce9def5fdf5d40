"""``k8sfix serve [--http PORT]``: run the Slack bot (Socket Mode by default) until SIGTERM."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve``."""
    serve = subparsers.add_parser(
        "serve", help="run the Slack bot (Socket Mode unless --http is given)",
        description="Run the Slack app. Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; HTTP mode "
                    "(--http PORT or K8SFIX_HTTP_PORT) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET and serves "
                    "/slack/events. Health, readiness and metrics are on K8SFIX_OPS_PORT (default 8080).")
    serve.add_argument("--http", type=int, metavar="PORT", default=None,
                       help="serve the Events API, interactivity and slash commands over HTTP on PORT")
    serve.add_argument("--env-file", metavar="PATH", default=None,
                       help="read settings from this dotenv file (default: .env if present)")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate the settings, then serve until SIGTERM or SIGINT."""
    import dataclasses

    from slack_sdk.errors import SlackClientError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import Settings, read_environment
    from bot.errors import ConfigError
    from bot.ops.logs import configure_logging
    from bot.ops.shutdown import ShutdownSignal
    from bot.redact import redact
    from bot.slack.preflight import check_slack
    from bot.slack.server import serve

    env = read_environment(args.env_file)
    settings = Settings.from_env(env, http_port=args.http)
    extra = tuple(str(p) for p in getattr(args, "kb", []) or [])
    if extra:
        settings = dataclasses.replace(settings, kb_dirs=settings.kb_dirs + extra)
    check_slack(settings)
    configure_logging(settings.log_level, settings.log_format)
    checks = _checks_settings(env)
    shutdown = ShutdownSignal()
    shutdown.install()
    try:
        return serve(settings, stop=shutdown.event, checks=checks)
    except SlackClientError as exc:
        raise ConfigError(f"SLACK_BOT_TOKEN: Slack at {settings.api_url} did not accept the bot token "
                          f"or could not be reached ({redact(str(exc))[:200]})") from None
    except OSError as exc:  # Slack became unreachable between the check and the app's own auth.test
        raise ConfigError(f"Slack at {settings.api_url} could not be reached ({type(exc).__name__}); "
                          "set HTTPS_PROXY if outbound traffic needs a proxy") from None
    except SQLAlchemyError as exc:
        raise ConfigError(f"K8SFIX_DB_URL: the store cannot be opened ({type(exc).__name__})") from None
    except Exception as exc:
        if type(exc).__name__ == "BoltError":
            raise ConfigError(f"SLACK_BOT_TOKEN: {redact(str(exc))[:200]}") from None
        raise


def _checks_settings(env: dict[str, str]) -> object | None:
    """``ChecksSettings`` from the environment, None when the checks package is absent."""
    try:
        from bot.checks import ChecksSettings
    except ImportError:
        return None
    return ChecksSettings.from_env(env)
