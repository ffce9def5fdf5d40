"""Running the bot as a service: metrics, health and readiness, JSON logs, graceful shutdown."""

from __future__ import annotations

from bot.ops.health import OpsServer
from bot.ops.logs import JsonFormatter, configure_logging, text_digest
from bot.ops.metrics import Metrics
from bot.ops.shutdown import ShutdownSignal

__all__ = ["JsonFormatter", "Metrics", "OpsServer", "ShutdownSignal", "configure_logging", "text_digest"]
