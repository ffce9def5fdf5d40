"""A pasted secret never reaches what the matcher returns or what the CLI prints."""

from __future__ import annotations

import json

import pytest
from secret_forms import SECRET_FORMS, SECRET_PARTS

from bot.cli.match_cmd import result_json
from bot.matching import Matcher
from bot.render.text import render_result

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


@pytest.mark.parametrize(("form", "text"), [(f, t) for f, t, _ in SECRET_FORMS], ids=[f[0] for f in SECRET_FORMS])
def test_no_secret_in_evidence_findings_or_rendered_answer(matcher: Matcher, form: str, text: str) -> None:
    # given: the secret sits on the very line that carries the error, and on a line of its own
    paste = f"kube-proxy keeps failing\n{CONNTRACK} {text}\n{text}\nI1121 12:00:01.000 1 server.go:1] started"
    secret = SECRET_PARTS[form]
    # when
    result = matcher.match(paste)
    # then
    assert result.best is not None and result.best.entry.id == "kube-proxy-conntrack-missing"
    shown = [line for m in (*result.matches, *result.findings) for line in m.evidence]
    assert any("[REDACTED]" in line for line in shown), shown
    assert not any(secret in line for line in shown)
    assert secret not in render_result(result, "en")
    assert secret not in json.dumps(result_json(result, "en"), ensure_ascii=False)
