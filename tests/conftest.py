from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import Matcher, load_matcher

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The matcher over the built-in KB, built once for the whole run."""
    return load_matcher()
