"""A secret pasted into Slack never reaches the store's rows, the logs or the answer posted back."""

from __future__ import annotations

import logging

import pytest
from secret_forms import SECRET_FORMS, SECRET_PARTS
from slack_harness import Harness, all_text, blocks_of
from sqlalchemy import inspect, text

from bot.ops.logs import JsonFormatter, RedactingFormatter
from bot.store import Store

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
