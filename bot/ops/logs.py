"""Structured logging: one JSON object per line, secrets redacted, message text only as a hash.

Every record passes through :func:`bot.redact.redact` on its way out, so a token
that slipped into an exception message is still masked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from typing import Any, TextIO

from bot.redact import redact, redact_data

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {"message", "asctime"}


def text_digest(text: str) -> str:
    """A short, stable hash that identifies a text in logs without revealing it."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line with the ``extra=`` fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as JSON (redacted)."""
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(redact_data(data), ensure_ascii=False, default=str))


class RedactingFormatter(logging.Formatter):
    """The plain-text format, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as text (redacted), ``extra=`` fields appended as key=value."""
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return redact(line)


def configure_logging(level: str = "INFO", fmt: str = "json", stream: TextIO | None = None) -> None:
    """Send every log record to ``stream`` (stderr) in ``fmt`` (json or text) at ``level``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The Slack SDK logs full request bodies at DEBUG; keep it quieter than ours.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, logging.getLevelName(level)))
