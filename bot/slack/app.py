"""The app factory: one Bolt app for Socket Mode and HTTP mode, and the test seam.

Nothing here runs at import time. :func:`create_app` makes one ``auth.test``
call (Bolt's token check) and opens no socket; :mod:`bot.slack.server` connects
it to Slack.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.config import Settings
from bot.ops.metrics import Metrics
from bot.slack.client import build_web_client
from bot.slack.dedup import delivery_middleware, settle
from bot.slack.deliveries import DeliveryTracker
from bot.slack.deps import CONTEXT_KEY, Deps
from bot.slack.listeners import register_listeners
from bot.slack.listeners._context import STARTED_KEY
from bot.slack.workers import TrackedExecutor, WorkerPool
from bot.store import Store

if TYPE_CHECKING:
    from bot.matching import Matcher

ACK_THREADS = 16
"""Bolt's executor (lazy listeners); ours run in the request's thread, see ``process_before_response``."""


class _ClientGivenFilter(logging.Filter):
    """Drop Bolt's warning that SLACK_BOT_TOKEN from the environment is unused: we pass our own client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


class _NoBodyFilter(logging.Filter):
    """Keep the body of a request that failed its signature check out of the logs (anyone can send one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Invalid request signature detected"):
            record.msg, record.args = "invalid request signature", None
        return True


_BOLT_LOGGER = logging.getLogger("bot.slack.bolt")


def _malformed(body: Any) -> str | None:
    """Why a parsed body cannot be a Slack request, None when its shape is fine."""
    if not isinstance(body, dict):
        return "not an object"
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "event is not an object"
    for name in ("user", "channel", "team", "container", "message"):
        if name in body and not isinstance(body[name], dict | None):
            return f"{name} is not an object"
    if "actions" in body and not isinstance(body["actions"], list):
        return "actions is not a list"
    return None


class K8sfixApp(App):
    """Bolt's App, with the delivery bookkeeping around each dispatch and no crash on odd payloads."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Answer a request; a malformed one gets 400, an event nobody listens to 200 (so Slack stops)."""
        reason = _malformed(req.body)
        if reason is not None:
            _BOLT_LOGGER.info("malformed request refused", extra={"reason": reason})
            return BoltResponse(status=400, body="")
        deps = getattr(self, "k8sfix", None)
        if deps is None:
            response = super().dispatch(req)
        else:
            with deps.cpu.acknowledging():
                response = super().dispatch(req)
        try:
            settle(req.context, response)
        except Exception:
            _BOLT_LOGGER.exception("could not settle the delivery")
        if response.status == 404 and req.body.get("type") == "event_callback":
            return BoltResponse(status=200, body="")
        return response


def create_app(
    settings: Settings,
    matcher: Matcher,
    store: Store,
    client: WebClient | None = None,
    *,
    metrics: Metrics | None = None,
    checks: Any | None = None,
    clock: Callable[[], float] = time.time,
) -> App:
    """Build the Bolt app.

    Args:
        settings: Validated settings (mode decides whether requests are signature-checked).
        matcher: The loaded matcher (``bot.matching.load_matcher``).
        store: The open store.
        client: Web API client; built from the settings (SLACK_API_URL, HTTPS_PROXY) when None.
        metrics: Metrics to update; a fresh registry when None.
        checks: ``bot.checks.ChecksSettings`` enabling the "Run cluster checks" button, or None.
        clock: Wall clock for the store's windows (tests pass a fake one).

    Returns:
        The app; its :class:`~bot.slack.deps.Deps` is ``app.k8sfix`` (``getattr``).
    """
    logger = logging.getLogger("bot.slack")
    if not any(isinstance(f, _ClientGivenFilter) for f in _BOLT_LOGGER.filters):
        _BOLT_LOGGER.addFilter(_ClientGivenFilter())
        _BOLT_LOGGER.addFilter(_NoBodyFilter())
    client = client or build_web_client(settings)
    listeners = TrackedExecutor(max_workers=ACK_THREADS, thread_name_prefix="k8sfix-ack")
    deps = Deps(settings=settings, matcher=matcher, store=store, metrics=metrics or Metrics(),
                workers=WorkerPool(settings.workers),
                deliveries=DeliveryTracker(store, settings.pending_lease, clock), listeners=listeners,
                checks=checks, clock=clock, logger=logger)
    app = K8sfixApp(
        client=client,
        signing_secret=settings.signing_secret,
        request_verification_enabled=settings.mode == "http",
        # Every listener only acknowledges and hands its work to the worker pool, so Bolt may run it in
        # the request's own thread and respond when it returns: no polling for ack(), no thread hop.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        listener_executor=listeners,
        logger=_BOLT_LOGGER,
    )

    def inject_deps(context: BoltContext, next: Callable[[], Any]) -> Any:
        context[CONTEXT_KEY] = deps
        context[STARTED_KEY] = time.monotonic()
        return next()

    def log_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        logger.error("listener error", exc_info=error, extra={"payload_type": body.get("type")})
        deps.metrics.errors.labels("listener").inc()
        return BoltResponse(status=500, body="")

    app.middleware(inject_deps)
    app.middleware(delivery_middleware)
    app.error(log_error)
    register_listeners(app, settings.slash_command)
    app.k8sfix = deps  # type: ignore[attr-defined]
    return app


def deps_of_app(app: App) -> Deps:
    """The :class:`Deps` of an app built by :func:`create_app`."""
    deps = getattr(app, CONTEXT_KEY, None)
    if not isinstance(deps, Deps):
        raise TypeError("this app was not built by bot.slack.create_app")
    return deps
