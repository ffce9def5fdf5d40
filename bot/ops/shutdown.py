"""Graceful shutdown: SIGTERM and SIGINT set an event the main thread waits on."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

logger = logging.getLogger(__name__)


class ShutdownSignal:
    """Turn SIGTERM/SIGINT into an event; a second signal is left to the default handler."""

    def __init__(self) -> None:
        """Create the (unset) event; call :meth:`install` from the main thread."""
        self.event = threading.Event()

    def install(self) -> None:
        """Handle SIGTERM and SIGINT (main thread only)."""
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        logger.info("shutdown requested", extra={"signal": signal.Signals(signum).name})
        self.event.set()
        signal.signal(signum, signal.SIG_DFL)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a signal arrived (True) or ``timeout`` passed (False)."""
        return self.event.wait(timeout)
