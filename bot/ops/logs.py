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
_ESCAPES = {**{c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, 0x85)}, 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t",
            0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped, so it cannot start a forged log line."""
    return text.translate(_ESCAPES)


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
        """Render ``record`` as text (redacted), ``extra=`` fields appended as key=value.

        A record is one line: the message and the fields have their line breaks escaped;
        a traceback follows on lines indented by two spaces, so no text can pass for a record.
        """
        saved = record.msg, record.args
        record.msg, record.args = one_line(record.getMessage()), None
        try:
            line = super().format(record)
        finally:
            record.msg, record.args = saved
        head, _, rest = line.partition("\n")
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}
        if extras:
            head += " " + " ".join(f"{one_line(str(k))}={one_line(str(v))}" for k, v in extras.items())
        if rest:
            head += "\n" + "\n".join("  " + one_line(part) for part in rest.split("\n"))
        return redact(head)


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
    # Alembic narrates every migration step at INFO; its warnings and errors still show.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
