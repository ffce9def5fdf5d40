"""The Slack Web API client: configured base URL, proxy, and retries that honour Retry-After."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.config import Settings

WEB_API_TIMEOUT_S = 15
RATE_LIMIT_RETRIES = 3


def build_web_client(settings: Settings, logger: logging.Logger | None = None) -> WebClient:
    """A WebClient for ``settings``: SLACK_API_URL as base URL, HTTPS_PROXY, 429 and connection retries."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        proxy=settings.https_proxy,
        timeout=WEB_API_TIMEOUT_S,
        logger=logger or logging.getLogger("bot.slack.web"),
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
