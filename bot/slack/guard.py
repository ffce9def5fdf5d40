"""Run a job so that a failure is logged, counted and answered with an apology, never silent."""

from __future__ import annotations

from collections.abc import Callable

from bot.slack.deps import Deps


def guarded(deps: Deps, entry_point: str, job: Callable[[], None], apologize: Callable[[], None]) -> None:
    """Run ``job``; on any exception log it with its traceback, count it and call ``apologize``."""
    try:
        job()
    except Exception:
        deps.logger.exception("handler failed", extra={"entry_point": entry_point})
        deps.metrics.errors.labels(entry_point).inc()
        try:
            apologize()
        except Exception:
            deps.logger.exception("could not apologise", extra={"entry_point": entry_point})


def submit_guarded(deps: Deps, entry_point: str, job: Callable[[], None], apologize: Callable[[], None]) -> None:
    """Run :func:`guarded` in the worker pool."""
    deps.workers.submit(guarded, deps, entry_point, job, apologize)
