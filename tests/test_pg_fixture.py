"""The PostgreSQL fixture skips with its reason where PostgreSQL is missing, and fails instead when CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_PG_TEST = "tests/slack/test_slack_store.py::test_old_claims_are_pruned[postgresql]"


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["K8SFIX_PG_BIN"] = str(tmp_path / "no-postgresql-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", ONE_PG_TEST],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_missing_postgresql_is_a_skip_with_its_reason(tmp_path: Path) -> None:
    result = _run(tmp_path, None)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "PostgreSQL not available" in result.stdout and "initdb/pg_ctl not found" in result.stdout


def test_missing_postgresql_fails_in_ci(tmp_path: Path) -> None:
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "PostgreSQL is required in CI" in result.stdout
