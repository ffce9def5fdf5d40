"""Run checks concurrently against one cluster, each within its own time, never raising.

Every problem (unknown id, no kubeconfig, a 403, a timeout, a bug in a check) becomes a
``failed`` result whose summary says what to do; the other checks still run. Summaries and
evidence are redacted and shortened here, so no check can leak a secret by forgetting to.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
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
"""Extra wait past a check's timeout for its last request to return its own timeout error."""

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
    executor = ThreadPoolExecutor(max_workers=len(known), thread_name_prefix="k8sfix-check")
    try:
        futures: dict[Future[CheckResult], str] = {
            executor.submit(_run_one, i, connection, inputs, deadline): i for i in known}
        wait(futures, timeout=max(0.0, deadline - time.monotonic()) + GRACE_SECONDS)
        for future, check_id in futures.items():
            if future.done():
                results[check_id] = future.result()
            else:
                future.cancel()
                limit = settings.timeout if deadline < budget_end else settings.budget
                results[check_id] = failed(
                    check_id, f"no answer within {limit:g} s",
                    f"check the network path to {connection.server}, or raise K8SFIX_CHECK_TIMEOUT")
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        connection.close()
    return report()


def warm_up() -> None:
    """Import the Kubernetes client's API modules now (about a second) so the first run does not pay for it.

    For long-running processes such as the Slack app: call it once at start-up, e.g. in a thread.
    """
    from kubernetes import client as k8s

    for name in ("CoreV1Api", "AppsV1Api", "NetworkingV1Api", "ApiregistrationV1Api", "AutoscalingV2Api",
                 "VersionApi"):
        getattr(k8s, name)


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
