"""Run a job so that a failure is logged, counted and answered with an apology, never silent."""

from __future__ import annotations

from collections.abc import Callable

from bot.slack.deliveries import Delivery
from bot.slack.deps import Deps


def guarded(deps: Deps, entry_point: str, job: Callable[[], None], apologize: Callable[[], None],
            delivery: str = "") -> None:
    """Run ``job``; on any exception log it with its traceback, count it and call ``apologize``.

    Either way the delivery is then done: answered, or apologised for.
    """
    try:
        job()
    except Exception:
        deps.logger.exception("handler failed", extra={"entry_point": entry_point})
        deps.metrics.errors.labels(entry_point).inc()
        try:
            apologize()
        except Exception:
            deps.logger.exception("could not apologise", extra={"entry_point": entry_point})
    if delivery:
        try:
            deps.deliveries.finish(delivery)
        except Exception:
            deps.logger.exception("could not mark the delivery done", extra={"delivery": delivery})


def submit_guarded(deps: Deps, entry_point: str, job: Callable[[], None], apologize: Callable[[], None],
                   delivery: Delivery | None = None) -> None:
    """Run :func:`guarded` in the worker pool; the delivery stays pending until it has run."""
    key = ""
    if delivery is not None:
        delivery.submitted = True
        key = delivery.key
    if deps.workers.submit(guarded, deps, entry_point, job, apologize, key) is None and key:
        deps.deliveries.drop(key)
