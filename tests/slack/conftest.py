from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_fakes import BOT_TOKEN, FakeSlack
from slack_harness import SIGNING_SECRET, Harness

from bot.config import Settings
from bot.matching import Matcher
from bot.slack import create_app
from bot.store import Store, open_store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def settings(fake: FakeSlack, tmp_path: Path) -> Settings:
    return Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, mode="http", api_url=fake.api_url,
                    db_url=f"sqlite:///{tmp_path / 'k8sfix.db'}", workers=4, ops_port=0)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.db_url)
    yield opened
    opened.close()


@pytest.fixture
def make_harness(fake: FakeSlack, settings: Settings, store: Store,
                 matcher: Matcher) -> Iterator[Callable[..., Harness]]:
    built: list[Harness] = []

    def build(*, matcher_: Matcher | None = None, **overrides: Any) -> Harness:
        app_kwargs = {k: overrides.pop(k) for k in ("checks", "clock", "metrics") if k in overrides}
        app = create_app(dataclasses.replace(settings, **overrides), matcher_ or matcher, store, **app_kwargs)
        harness = Harness(app, fake)
        built.append(harness)
        return harness

    yield build
    for harness in built:
        harness.deps.drain(5)


@pytest.fixture
def slack(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()


sys.path.append(str(Path(__file__).resolve().parent.parent / "checks"))  # the fake API server of the checks' tests
