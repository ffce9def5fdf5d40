"""Hostile pastes into Slack: a secret never reaches the store's rows, the logs or the answer posted back,
and no paste makes the app hang or fail."""

from __future__ import annotations

import logging
import time

import pytest
from secret_forms import SECRET_FORMS, SECRET_PARTS
from slack_harness import Harness, all_text, blocks_of
from sqlalchemy import inspect, text

from bot.ops.logs import JsonFormatter, RedactingFormatter
from bot.store import Store

HANG_GUARD_SECONDS = 5.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""
CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


def _all_rows(store: Store) -> str:
    """Every value of every row of every table, as one text."""
    out = []
    with store.engine.connect() as conn:
        for table in inspect(store.engine).get_table_names():
            out += [repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(out)


@pytest.mark.parametrize(("form", "pasted"), [(f, t) for f, t, _ in SECRET_FORMS], ids=[f[0] for f in SECRET_FORMS])
def test_secret_never_reaches_store_logs_or_answer(slack: Harness, store: Store, caplog: pytest.LogCaptureFixture,
                                                   form: str, pasted: str) -> None:
    # given: debug logging (which logs the message text) and the secret on the error's own line
    caplog.set_level(logging.DEBUG)
    secret = SECRET_PARTS[form]
    paste = f"kube-proxy keeps failing\n{CONNTRACK} {pasted}\n{pasted}\nI1121 12:00:01.000 1 server.go:1] started"
    # when
    slack.command(paste)
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    slack.idle()
    # then: the answer shows the redacted evidence line, and the secret is nowhere
    assert "[REDACTED]" in all_text(blocks)
    assert secret not in all_text(blocks)
    assert not any(secret in repr(call.params) for call in slack.fake.calls)
    rows = _all_rows(store)
    assert "[REDACTED]" in rows and secret not in rows
    for formatter in (JsonFormatter(), RedactingFormatter("%(message)s")):
        assert not any(secret in formatter.format(record) for record in caplog.records)
    assert secret not in caplog.text


@pytest.mark.parametrize(
    "paste",
    ["<@" * 40_000, "<http://" * 20_000, '{"msg": "x", "a": ' + "[" * 50_000 + "]" * 50_000 + "}", "a." * 60_000,
     "ffff:" * 30_000, "\x1b[31m" * 20_000, f"{CONNTRACK}\n" + "token: \"" * 10_000],
    ids=["mentions", "links", "deep json", "dots", "ipv6-like", "ansi", "open quotes"],
)
def test_hostile_pastes_get_an_answer_or_an_abstention(slack: Harness, caplog: pytest.LogCaptureFixture,
                                                       paste: str) -> None:
    started = time.perf_counter()
    slack.command(paste)
    [answer] = slack.fake.wait_for("response_url", timeout=30)
    slack.idle(30)
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert "Sorry, something went wrong" not in answer.params.get("text", "")
    assert not [r for r in caplog.records if r.getMessage() == "handler failed"]
