"""Read the text of snippets and small text files attached to a message.

The bot token is sent only to Slack's own file hosts (the Web API host or a
sub-domain of its parent domain, where Slack serves files), never to a URL
elsewhere, and only files up to the configured size are read.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.config import Settings
from bot.matching.clean import decode_text
from bot.slack.paste import looks_binary

logger = logging.getLogger(__name__)

TEXT_FILETYPES = frozenset({
    "text", "log", "yaml", "yml", "json", "shell", "bash", "sh", "python", "go", "javascript", "markdown",
    "xml", "toml", "ini", "diff", "csv", "dockerfile", "plain",
})
MAX_FILES = 3
DOWNLOAD_TIMEOUT_S = 10


def is_text_file(file: Mapping[str, Any]) -> bool:
    """Whether an attached file is a snippet or a text file worth reading."""
    mimetype = str(file.get("mimetype") or "")
    return (file.get("mode") == "snippet" or mimetype.startswith("text/")
            or str(file.get("filetype") or "") in TEXT_FILETYPES)


def token_may_go_to(url: str, api_host: str) -> bool:
    """Whether a download URL belongs to Slack (so the bot token may be sent there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return False
    if host == api_host:
        return True
    labels = api_host.split(".")
    parent = ".".join(labels[-2:]) if len(labels) >= 2 and not api_host.replace(".", "").isdigit() else api_host
    return parts.scheme == "https" and (host == parent or host.endswith("." + parent))


def attached_text(files: Iterable[Mapping[str, Any]], settings: Settings) -> str:
    """The text of up to three attached text files, joined by blank lines; unreadable ones are skipped."""
    texts = []
    for file in list(files)[:MAX_FILES]:
        if not is_text_file(file):
            continue
        size = int(file.get("size") or 0)
        if size > settings.max_file_bytes:
            logger.info("attached file too large to read", extra={"size": size})
            continue
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not url or not token_may_go_to(url, settings.api_host):
            logger.warning("attached file is not on a Slack host; skipped")
            continue
        text = download_text(url, settings)
        if text and not looks_binary(text):
            texts.append(text)
    return "\n\n".join(texts)


class _SlackOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, dropping the bot token when one leads away from Slack."""

    def __init__(self, api_host: str) -> None:
        self.api_host = api_host

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not token_may_go_to(newurl, self.api_host):
            new.remove_header("Authorization")
        return new


def download_text(url: str, settings: Settings) -> str:
    """Download at most ``max_file_bytes`` of a private Slack file as text (empty on failure)."""
    handlers: list[urllib.request.BaseHandler] = [_SlackOnlyRedirects(settings.api_host)]
    if settings.https_proxy:
        handlers.append(urllib.request.ProxyHandler({"https": settings.https_proxy, "http": settings.https_proxy}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {settings.bot_token}"})
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data = response.read(settings.max_file_bytes + 1)
    except OSError as exc:
        logger.warning("could not download an attached file", extra={"error": type(exc).__name__})
        return ""
    return decode_text(data[: settings.max_file_bytes])
