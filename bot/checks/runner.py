"""Run checks concurrently against one cluster, each within its own time, never raising.

Every problem (unknown id, no kubeconfig, a 403, a timeout, a bug in a check) becomes a
``failed`` result whose summary says what to do; the other checks still run. Summaries and
evidence are redacted and shortened here, so no check can leak a secret by forgetting to.

Each check runs in a daemon thread; every request it makes ends by the check's deadline
(:mod:`bot.checks._transport`), so the threads end with the run. A thread still busy when the
report is due (a hung DNS lookup, a check stuck in its own code) is reported as failed and
left behind; being a daemon, it never keeps the process alive.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.checks.catalog import CHECKS, checks_for_topic
from bot.checks.errors import ClusterAccessError, NoCluster, NotInSnapshot, ReadOnlyViolation
from bot.checks.settings import ChecksSettings
from bot.checks.types import CheckInputs, CheckReport, CheckResult
from bot.redact import redact

if TYPE_CHECKING:
    from bot.kb.models import Entry
    from bot.matching.types import MatchResult

log = logging.getLogger(__name__)

MAX_EVIDENCE = 12
MAX_LINE = 300
GRACE_SECONDS = 0.5
"""Extra wait past a check's deadline for it to turn its last request's timeout into its own result."""

CheckFunction = Callable[[Any, CheckInputs], CheckResult]


def _implementation(check_id: str) -> CheckFunction:
    module = importlib.import_module(f"bot.checks.{CHECKS[check_id].module}")
    return module.run  # type: ignore[no-any-return]


def _clean(text: str) -> str:
    text = redact(" ".join(str(text).split()))
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def sanitize(result: CheckResult) -> CheckResult:
    """Redact and shorten a result's summary and evidence."""
    evidence = list(dict.fromkeys(_clean(line) for line in result.evidence if str(line).strip()))
    if len(evidence) > MAX_EVIDENCE:
        evidence = [*evidence[: MAX_EVIDENCE - 1], f"... and {len(evidence) - MAX_EVIDENCE + 1} more"]
    return CheckResult(result.check_id, result.status, _clean(result.summary), tuple(evidence), result.topics)


def failed(check_id: str, message: str, hint: str = "") -> CheckResult:
    """A ``failed`` result that says what happened and what to do."""
    topics = CHECKS[check_id].topics if check_id in CHECKS else ()
    summary = f"{message}; {hint}" if hint else message
    return CheckResult(check_id, "failed", summary, (), topics)


def _from_error(check_id: str, exc: BaseException) -> CheckResult:
    topics = CHECKS[check_id].topics
    if isinstance(exc, NotInSnapshot):
        return CheckResult(check_id, "inconclusive", f"{exc}; {exc.hint}" if exc.hint else str(exc), (), topics)
    if isinstance(exc, ClusterAccessError):
        return failed(check_id, str(exc), exc.hint)
    if isinstance(exc, ReadOnlyViolation):
        return failed(check_id, f"refused by the read-only guard: {exc}", "this is a bug in the check; report it")
    log.exception("check %s crashed", check_id, exc_info=exc)
    return failed(check_id, f"the check crashed ({type(exc).__name__}: {exc})", "report it with this message")


def _run_one(check_id: str, connection: Any, inputs: CheckInputs, deadline: float) -> CheckResult:
    from bot.checks._reader import ClusterReader

    try:
        return _implementation(check_id)(ClusterReader(connection, deadline=deadline), inputs)
    except Exception as exc:  # isolate every failure to its own result
        return _from_error(check_id, exc)


def _dedupe(check_ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(check_ids))


def run_checks(check_ids: Iterable[str], inputs: CheckInputs, settings: ChecksSettings, *,
               context: str | None = None, snapshot_dir: str | Path | None = None) -> CheckReport:
    """Run ``check_ids`` concurrently against one cluster or snapshot; never raises.

    Args:
        check_ids: ids from :data:`bot.checks.catalog.CHECK_IDS`; unknown ids give failed results.
        inputs: names that narrow the checks (namespace, service, pod, node).
        settings: connection, allowlists, per-check timeout and total budget.
        context: kubeconfig context to use (must be allowed by ``settings.contexts``).
        snapshot_dir: answer from a ``kubectl cluster-info dump`` folder instead of a live cluster.

    Returns:
        One result per distinct id, in the order given, and the cluster looked at.
    """
    start = time.monotonic()
    ids = _dedupe(check_ids)
    known = [i for i in ids if i in CHECKS]
    results: dict[str, CheckResult] = {
        i: CheckResult(i, "failed", f"unknown check id {i!r}; known: {', '.join(sorted(CHECKS))}")
        for i in ids if i not in CHECKS}
    cluster = f"snapshot:{snapshot_dir}" if snapshot_dir is not None else (context or "")

    def report() -> CheckReport:
        ordered = tuple(sanitize(results[i]) for i in ids if i in results)
        return CheckReport(cluster=cluster, results=ordered, elapsed_seconds=time.monotonic() - start, inputs=inputs)

    if not known:
        return report()
    if not settings.enabled:
        for i in known:
            results[i] = failed(i, "cluster checks are disabled", "set K8SFIX_CHECKS_ENABLED=true to allow them")
        return report()
    try:
        from bot.checks._client import connect

        connection = connect(settings, context=context, snapshot_dir=snapshot_dir)
    except NoCluster as exc:
        for i in known:
            results[i] = failed(i, str(exc), exc.hint)
        return report()
    except Exception as exc:  # a broken client install must not crash the caller
        for i in known:
            results[i] = failed(i, f"cannot create the Kubernetes client ({type(exc).__name__}: {exc})",
                                "check the kubeconfig and the installed kubernetes package")
        return report()
    cluster = connection.cluster
    budget_end = start + settings.budget
    deadline = min(budget_end, time.monotonic() + settings.timeout)
    try:
        finished = _run_in_threads(known, connection, inputs, deadline)
    finally:
        connection.close()
    limit = settings.timeout if deadline < budget_end else settings.budget
    for check_id in known:
        results[check_id] = finished.get(check_id) or failed(
            check_id, f"the check did not finish within {limit:g} s: the API server at {connection.server} "
            "answered too slowly", "check the network path and the API server's health, or raise "
            "K8SFIX_CHECK_TIMEOUT")
    return report()


def _run_in_threads(check_ids: list[str], connection: Any, inputs: CheckInputs,
                    deadline: float) -> dict[str, CheckResult]:
    """Run each check in its own daemon thread; return the results that were ready by the deadline."""
    results: dict[str, CheckResult] = {}
    lock = threading.Lock()

    def work(check_id: str) -> None:
        result = _run_one(check_id, connection, inputs, deadline)
        with lock:
            results[check_id] = result

    threads = [threading.Thread(target=work, args=(check_id,), name=f"k8sfix-check-{check_id}", daemon=True)
               for check_id in check_ids]
    for thread in threads:
        thread.start()
    end = deadline + GRACE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, end - time.monotonic()))
    late = [t.name for t in threads if t.is_alive()]
    if late:
        log.warning("checks still running past their deadline", extra={"threads": late})
    with lock:
        return dict(results)


WARM_MODULES = ("kubernetes.client.api_client", "kubernetes.client.configuration", "kubernetes.client.exceptions",
                "kubernetes.config.kube_config", "kubernetes.config.incluster_config", "bot.checks._failures",
                "bot.checks._transport", "bot.checks._reader")
"""What a run imports besides the models: the client's core, the kubeconfig loaders, our transport."""


def warm_up() -> None:
    """Import the parts of the Kubernetes client the checks use, so the first run does not pay for it.

    For long-running processes such as the Slack app: call it once at start-up, e.g. in a thread
    (:func:`warm_up_in_background`). Costs about half a second of CPU.
    """
    for name in WARM_MODULES:
        importlib.import_module(name)
    from bot.checks._client import _client_log_filter
    from bot.checks._guard import _guarded_class
    from bot.checks._reader import model_names

    _guarded_class()
    _client_log_filter()
    models = importlib.import_module("kubernetes.client.models")
    for name in model_names():
        getattr(models, name)


def warm_up_in_background() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread and return it (a failure is logged, never raised)."""

    def run() -> None:
        started = time.monotonic()
        try:
            warm_up()
        except ImportError as exc:  # a slim install: the button says checks are unavailable
            log.warning("cluster checks unavailable: %s", exc)
            return
        except Exception:  # a broken client install shows up when checks run; do not stop the app
            log.exception("warming up the cluster checks failed")
            return
        log.info("cluster checks warmed up", extra={"seconds": round(time.monotonic() - started, 2)})

    thread = threading.Thread(target=run, name="k8sfix-checks-warm-up", daemon=True)
    thread.start()
    return thread


def check_ids_for_entry(entry: Entry) -> tuple[str, ...]:
    """The checks a KB entry lists, else the catalog's checks for its topic."""
    return tuple(entry.checks) or checks_for_topic(entry.id)


def run_checks_for_entry(entry: Entry, inputs: CheckInputs, settings: ChecksSettings, *,
                         context: str | None = None) -> CheckReport:
    """Run the checks of a KB entry (the Slack "Run cluster checks" button); never raises."""
    return run_checks(check_ids_for_entry(entry), inputs, settings, context=context)


def run_checks_for_match(result: MatchResult, text: str, settings: ChecksSettings,
                         context: str | None = None) -> CheckReport | None:
    """Run the checks of the asserted match of ``text``, with names taken from ``text``.

    Returns:
        The report, or None when the matcher abstained (nothing asserted, nothing to check).
    """
    from bot.checks.inputs import inputs_from_text

    best = result.best
    if best is None:
        return None
    return run_checks_for_entry(best.entry, inputs_from_text(text), settings, context=context)
