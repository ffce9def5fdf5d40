"""``/k8sfix``: signed slash commands into the app in HTTP mode, answers read from the fake Slack."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from slack_fakes import FakeSlack
from slack_harness import Harness, action_ids, all_text, answer_qid, blocks_of, command_body, header
from sqlalchemy import text

from bot.matching import Matcher, load_matcher
from bot.matching.chinese import to_traditional
from bot.slack.limits import MAX_BLOCKS
from bot.store import Store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
QUERIES = {
    "pt": "o kube-proxy não encontra o binário conntrack",
    "ru": "kube-proxy не находит бинарник conntrack",
    "zh": "kube-proxy 找不到 conntrack 可执行文件",
    "zh-Hant": "kube-proxy 找不到 conntrack 執行檔",
}


def test_the_command_is_acknowledged_at_once_and_answered_privately(slack: Harness, store: Store) -> None:
    # when
    started = time.perf_counter()
    response = slack.command(CONNTRACK)
    ack_seconds = time.perf_counter() - started
    # then
    assert response.status == 200 and response.body == ""
    assert ack_seconds < 0.3
    [answer] = slack.fake.wait_for("response_url")
    blocks = blocks_of(answer.params)
    assert answer.params["response_type"] == "ephemeral"
    assert header(blocks) == "kube-proxy cannot find the conntrack binary"
    assert "High confidence" in all_text(blocks) and "yum install -y conntrack-tools" in all_text(blocks)
    assert action_ids(blocks)[-4:] == ["k8sfix_post", "k8sfix_helpful", "k8sfix_not_helpful", "k8sfix_language"]
    assert "k8sfix_run_checks" not in action_ids(blocks)
    stored = store.get_query(answer_qid(blocks))
    assert stored is not None and stored.entry_id == "kube-proxy-conntrack-missing"
    assert (stored.entry_point, stored.channel_id, stored.user_id) == ("command", "C0CHAN1", "U0USER1")
    slack.idle()
    assert slack.deps.metrics.value("k8sfix_queries_total", {"entry_point": "command"}) == 1
    assert slack.deps.metrics.value("k8sfix_matches_total", {"topic": "kube-proxy-conntrack-missing",
                                                              "confidence": "high"}) == 1
    assert slack.deps.metrics.value("k8sfix_answer_seconds_count", {"entry_point": "command"}) == 1


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_usage(slack: Harness, text: str) -> None:
    slack.command(text)
    [answer] = slack.fake.wait_for("response_url")
    assert header(blocks_of(answer.params)) == "k8sfix — Kubernetes errors to fixes"


def test_an_entry_id_shows_the_entry_directly(slack: Harness) -> None:
    slack.command("kube-proxy-conntrack-missing")
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    assert header(blocks) == "kube-proxy cannot find the conntrack binary"
    assert ":book: *Knowledge base entry*" in blocks[1]["elements"][0]["text"]


@pytest.mark.parametrize("lang", sorted(QUERIES))
def test_the_answer_follows_the_language_of_the_question(slack: Harness, matcher: Matcher, lang: str) -> None:
    # given: a Portuguese Slack locale, which the question's language overrides
    slack.fake.locales["U0USER1"] = "pt-BR"
    # when
    slack.command(QUERIES[lang])
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    # then
    entry = matcher.kb.get("kube-proxy-conntrack-missing")
    assert entry is not None
    expected = entry.text_in("zh" if lang == "zh-Hant" else lang).title
    assert header(blocks) == (to_traditional(expected) if lang == "zh-Hant" else expected)
    assert not slack.fake.calls_to("users.info")


def test_without_a_detectable_language_the_slack_locale_decides(slack: Harness) -> None:
    # given
    slack.fake.locales["U0USER1"] = "pt-BR"
    # when
    slack.command("12345")
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    # then
    assert "Nenhuma correspondência confiável" in all_text(blocks)
    [lookup] = slack.fake.calls_to("users.info")
    assert lookup.params["user"] == "U0USER1" and lookup.params["include_locale"] in (True, "true", "1")


def test_the_locale_is_looked_up_once_per_user(slack: Harness) -> None:
    slack.fake.locales["U0USER1"] = "ru-RU"
    for n in range(3):
        slack.command("12345", response=f"r{n}")
    slack.fake.wait_for("response_url", 3)
    assert len(slack.fake.calls_to("users.info")) == 1


def test_abstention_says_so_and_offers_the_closest_topics(slack: Harness, matcher: Matcher) -> None:
    # given
    result = matcher.match("namespace stuck in Terminating", top=3)
    assert result.abstained and result.matches
    # when
    slack.command("namespace stuck in Terminating")
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    # then
    assert "No confident match" in blocks[0]["text"]["text"]
    buttons = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [b["value"] for b in buttons] == [m.entry.id for m in result.matches]
    slack.idle()
    assert slack.deps.metrics.value("k8sfix_abstentions_total", {"entry_point": "command"}) == 1


def test_nothing_at_all_matches(slack: Harness) -> None:
    slack.command("xyzzy plugh")
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    assert "No confident match" in blocks[0]["text"]["text"]
    assert not [b for b in blocks if b["type"] == "actions"]


def test_binary_junk_is_refused_politely(slack: Harness) -> None:
    slack.command("\x00\x01\x02\x03\x04\x05PK\x03\x04\x00\x00" * 50)
    answer = slack.fake.wait_for("response_url")[0]
    assert "does not look like text" in answer.params["text"]


def test_an_oversized_paste_is_cut_and_still_answered(slack: Harness) -> None:
    # given: 1 MB of log with the error at the end
    paste = "I1121 12:00:00.000 some chatty line of an unrelated controller, pod web-1\n" * 14_000 + CONNTRACK
    assert len(paste) > 1_000_000
    # when
    started = time.perf_counter()
    response = slack.command(paste)
    # then
    assert response.status == 200 and time.perf_counter() - started < 0.5
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    assert header(blocks) == "kube-proxy cannot find the conntrack binary"
    assert "Your paste was long" in all_text(blocks)


def test_secrets_in_the_paste_are_redacted_in_the_store_and_logs(slack: Harness, store: Store,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    # given
    caplog.set_level(logging.DEBUG, logger="bot")
    paste = f"{CONNTRACK}\nAuthorization: Bearer sk-live-abcdefghijklmnopqrstuvwxyz\npassword=hunter2hunter2"
    # when
    slack.command(paste)
    blocks = blocks_of(slack.fake.wait_for("response_url")[0].params)
    slack.idle()
    # then
    stored = store.get_query(answer_qid(blocks))
    assert stored is not None
    for secret in ("sk-live-abcdefghijklmnopqrstuvwxyz", "hunter2hunter2"):
        assert secret not in stored.text and secret not in str(stored.result)
        assert secret not in all_text(blocks)
        assert secret not in caplog.text
    assert "[REDACTED]" in stored.text


def test_a_failing_handler_logs_the_error_and_apologises(slack: Harness, store: Store,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    # given: the store lost its history table (a database outage while answering)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE k8sfix_feedback"))
        conn.execute(text("DROP TABLE k8sfix_queries"))
    # when
    response = slack.command(CONNTRACK)
    # then
    assert response.status == 200
    [answer] = slack.fake.wait_for("response_url")
    assert "Sorry, something went wrong" in answer.params["text"]
    slack.idle()
    failures = [r for r in caplog.records if r.getMessage() == "handler failed"]
    assert failures and failures[0].exc_info is not None and failures[0].entry_point == "command"
    assert slack.deps.metrics.value("k8sfix_errors_total", {"entry_point": "command"}) == 1


@pytest.mark.parametrize("tamper", ["signature", "secret", "timestamp", "unsigned"])
def test_requests_with_a_bad_signature_are_rejected(slack: Harness, tamper: str) -> None:
    # given
    body = command_body(CONNTRACK, response_url=slack.fake.response_url())
    content = "application/x-www-form-urlencoded"
    from slack_harness import signed_headers

    if tamper == "signature":
        headers = signed_headers(body, content)
        headers["x-slack-signature"] = ["v0=" + "0" * 64]
    elif tamper == "secret":
        headers = signed_headers(body, content, secret="not-the-secret")
    elif tamper == "timestamp":
        headers = signed_headers(body, content, timestamp=int(time.time()) - 3600)
    else:
        headers = {"content-type": [content]}
    # when
    response = slack.app.dispatch(__import__("slack_bolt").BoltRequest(body=body, headers=headers))
    # then
    assert response.status == 401
    time.sleep(0.1)
    assert not slack.fake.calls_to("response_url")


def test_an_unknown_command_is_not_handled(slack: Harness) -> None:
    body = command_body("x", response_url=slack.fake.response_url(), command="/other")
    assert slack.dispatch(body, "application/x-www-form-urlencoded").status == 404


def test_a_renamed_command_is_served(make_harness: Callable[..., Harness]) -> None:
    slack = make_harness(slash_command="/k8sfix-staging")
    body = command_body("help", response_url=slack.fake.response_url(), command="/k8sfix-staging")
    assert slack.dispatch(body, "application/x-www-form-urlencoded").status == 200
    assert "/k8sfix-staging" in all_text(blocks_of(slack.fake.wait_for("response_url")[0].params))


@pytest.fixture(scope="module")
def giant_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """The real KB plus one entry far too long for one Slack message."""
    folder = tmp_path_factory.mktemp("giant-kb")
    steps = "\n".join(f'          - "Step {i}: ' + "check the node's conntrack table and kube-proxy flags " * 8 + '"'
                      for i in range(30))
    commands = "\n".join(f'    - run: "kubectl -n kube-system logs ds/kube-proxy --since={i}m | grep -i conntrack"\n'
                         f'      purpose: {{en: "Look at the last {i} minutes of kube-proxy logs."}}'
                         for i in range(1, 40))
    causes = "\n".join(f'      - cause: "Cause number {c}: ' + "a long explanation of the failure mode " * 10 + f'"\n'
                       f'        fix:\n{steps}' for c in range(1, 5))
    (folder / "giant-entry.yaml").write_text(
        "id: giant-entry\nkind: error\nsources:\n  - {file: giant.txt, section: giant}\n"
        "signatures: ['giant entry marker error']\n"
        f"commands:\n  diagnose:\n{commands}\n"
        "text:\n  en:\n    title: A giant entry\n    symptoms: [it is giant]\n    impact: Everything.\n"
        f"    causes:\n{causes}\n", encoding="utf-8")
    return load_matcher([folder])


def test_an_answer_too_long_for_slack_is_cut_and_the_full_text_sent_as_a_file(
        make_harness: Callable[..., Harness], giant_matcher: Matcher, fake: FakeSlack) -> None:
    # given
    slack = make_harness(matcher_=giant_matcher)
    # when
    slack.command("giant-entry")
    blocks = blocks_of(fake.wait_for("response_url")[0].params)
    fake.wait_for("files.completeUploadExternal")
    # then
    assert len(blocks) <= MAX_BLOCKS and len(all_text(blocks)) <= 13_000
    assert "full text as a file in a direct message" in all_text(blocks)
    assert blocks[-1]["block_id"].startswith("k8sfix:")
    assert fake.calls_to("conversations.open")[0].params["users"] == "U0USER1"
    [upload] = fake.calls_to("upload")
    content = fake.uploads[upload.params["file_id"]].decode("utf-8", "replace")
    assert "Step 29" in content and "--since=39m" in content
    assert fake.calls_to("files.completeUploadExternal")[0].params["channel_id"] == "DU0USER1"
    slack.idle()
    assert slack.deps.metrics.value("k8sfix_truncated_answers_total") == 1


def test_importing_the_app_reads_no_setting_and_opens_no_socket(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = """
import os, socket
def boom(*a, **k): raise AssertionError("socket opened at import")
socket.socket.connect = boom
read = []
class Recorder(dict):
    def get(self, key, default=None):
        read.append(key); return super().get(key, default)
    def __getitem__(self, key):
        read.append(key); return super().__getitem__(key)
os.environ = Recorder(os.environ)
import bot.slack, bot.slack.server, bot.store, bot.ops, bot.config
print(sorted(k for k in read if k.startswith(("SLACK", "K8SFIX"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin", "SLACK_BOT_TOKEN": "xoxb-should-not-be-read"}, timeout=60)
    assert out.stdout.strip() == "[]"


def test_a_long_thread_answer_uploads_its_full_text_into_the_thread(
        make_harness: Callable[..., Harness], giant_matcher: Matcher, fake: FakeSlack) -> None:
    from slack_harness import mention_event

    slack = make_harness(matcher_=giant_matcher)
    event = mention_event("giant-entry")
    slack.event(event)
    [complete] = fake.wait_for("files.completeUploadExternal")
    [post] = fake.calls_to("chat.postMessage")
    assert "attached as a file" in all_text(blocks_of(post.params))
    assert (complete.params["channel_id"], complete.params["thread_ts"]) == ("C0CHAN1", event["ts"])
    assert not fake.calls_to("conversations.open")
