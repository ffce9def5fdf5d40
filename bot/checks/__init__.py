"""Read-only cluster checks that confirm or rule out the cause a KB entry names.

Importing this package does not import the Kubernetes client; :func:`run_checks` loads it.
Every request goes through a guard that lets out only the reads declared in
:mod:`bot.checks.reads` (GETs of named resources, never Secrets, streams or proxies), and
ends by its check's deadline whatever the server does.
"""

from __future__ import annotations

from bot.checks.catalog import CATALOG, CHECK_IDS, CheckInfo, checks_for_topic, get_check
from bot.checks.errors import ReadOnlyViolation
from bot.checks.inputs import inputs_from_text
from bot.checks.runner import (
    run_checks,
    run_checks_for_entry,
    run_checks_for_match,
    warm_up,
    warm_up_in_background,
)
from bot.checks.settings import ChecksSettings
from bot.checks.types import STATUSES, CheckInputs, CheckReport, CheckResult, Status

__all__ = [
    "CATALOG",
    "CHECK_IDS",
    "STATUSES",
    "CheckInfo",
    "CheckInputs",
    "CheckReport",
    "CheckResult",
    "ChecksSettings",
    "ReadOnlyViolation",
    "Status",
    "checks_for_topic",
    "get_check",
    "inputs_from_text",
    "run_checks",
    "run_checks_for_entry",
    "run_checks_for_match",
    "warm_up",
    "warm_up_in_background",
]
