from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from bot.matching import Matcher, load_matcher

DATA = Path(__file__).parent / "data"

# Subprocesses started by tests get a private index cache and no team KB folders from the caller's shell.
os.environ["K8SFIX_CACHE_DIR"] = tempfile.mkdtemp(prefix="k8sfix-test-cache-")
os.environ.pop("K8SFIX_KB_PATH", None)


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The matcher over the built-in KB, built once for the whole run."""
    return load_matcher()
