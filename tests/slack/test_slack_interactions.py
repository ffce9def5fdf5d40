"""The message shortcut and the answer's buttons: signed interactivity payloads into the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from slack_harness import Harness, action_ids, all_text, answer_qid, blocks_of, header, next_ts

from bot.checks import ChecksSettings
from bot.matching import Matcher
from bot.store import Store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
FORBIDDEN = ('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" '
             'cannot list resource "pods" in API group "" in the namespace "prod"')
CONNTRACK_TITLE = "kube-proxy cannot find the conntrack binary"


def _ask(slack: Harness, text: str = CONNTRACK, response: str = "r1", user: str = "U0USER1") -> list[dict]:
    """Ask privately with /k8sfix; return the answer's blocks."""
    slack.command(text, response=response, user=user)
    return blocks_of(slack.wait_response(response))


# -- message shortcut ------------------------------------------------------------------------------


def test_the_shortcut_answers_in_the_messages_thread(slack: Harness) -> None:
    # given: someone else's paste
    message = {"type": "message", "ts": next_ts(), "user": "U0OTHER1", "text": f"help?\n```{CONNTRACK}```"}
    # when
    response = slack.shortcut(message)
    # then
    assert response.status == 200
    [post] = slack.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == message["ts"] and header(blocks_of(post.params)) == CONNTRACK_TITLE
    slack.idle()
    assert [c.params["name"] for c in slack.fake.calls_to("reactions.add")] == ["eyes", "white_check_mark"]


def test_the_shortcut_on_a_thread_reply_answers_in_that_thread(slack: Harness) -> None:
    message = {"type": "message", "ts": next_ts(), "thread_ts": "1700000000.000100", "text": CONNTRACK}
    slack.shortcut(message)
    assert slack.fake.wait_for("chat.postMessage")[0].params["thread_ts"] == "1700000000.000100"


def test_the_shortcut_reads_an_alert_posted_by_another_bot(slack: Harness) -> None:
    alert = {"type": "message", "subtype": "bot_message", "bot_id": "BALERTMGR", "ts": next_ts(), "text": "",
             "attachments": [{"title": "[FIRING:1] KubeAPIErrors", "text": FORBIDDEN}]}
    slack.shortcut(alert)
    assert "403" in header(blocks_of(slack.fake.wait_for("chat.postMessage")[0].params))


def test_the_shortcut_answers_privately_where_the_bot_may_not_post(slack: Harness) -> None:
    # given
    slack.fake.fail("chat.postMessage", "not_in_channel")
    # when
    slack.shortcut({"type": "message", "ts": next_ts(), "text": CONNTRACK})
    # then
    [answer] = slack.fake.wait_for("response_url")
    blocks = blocks_of(answer.params)
    assert "not_in_channel" in blocks[0]["text"]["text"] and header(blocks[1:]) == CONNTRACK_TITLE
    assert answer.params["response_type"] == "ephemeral"


def test_a_failing_shortcut_apologises_privately(slack: Harness) -> None:
    slack.fake.fail("chat.postMessage", "internal_error")
    slack.shortcut({"type": "message", "ts": next_ts(), "text": CONNTRACK})
    assert "Sorry, something went wrong" in slack.fake.wait_for("response_url")[0].params["text"]


# -- buttons -----------------------------------------------------------------------------------------


def test_post_to_channel_shares_the_answer_and_removes_the_private_copy(slack: Harness) -> None:
    # given
    qid = answer_qid(_ask(slack))
    # when
    slack.action("k8sfix_post", qid=qid, user="U0USER1", response="a1")
    # then
    [post] = slack.fake.wait_for("chat.postMessage")
    blocks = blocks_of(post.params)
    assert post.params["channel"] == "C0CHAN1" and "thread_ts" not in post.params
    assert header(blocks) == CONNTRACK_TITLE and "Shared by <@U0USER1>" in all_text(blocks)
    assert "k8sfix_post" not in action_ids(blocks)
    assert slack.wait_response("a1").get("delete_original") is True


def test_post_to_channel_explains_a_failure(slack: Harness) -> None:
    qid = answer_qid(_ask(slack))
    slack.fake.fail("chat.postMessage", "channel_not_found")
    slack.action("k8sfix_post", qid=qid, response="a1")
    answer = slack.wait_response("a1")
    assert "channel_not_found" in answer["text"]


def test_feedback_is_kept_per_user_and_counted(slack: Harness, store: Store) -> None:
    # given
    qid = answer_qid(_ask(slack))
    # when
    slack.action("k8sfix_helpful", qid=qid, user="U0USER1", response="v1")
    slack.action("k8sfix_not_helpful", qid=qid, user="U0USER2", response="v2")
    slack.idle()
    slack.action("k8sfix_helpful", qid=qid, user="U0USER2", response="v3")
    slack.idle()
    # then
    [topic] = store.stats().topics
    assert (topic.entry_id, topic.votes, topic.helpful) == ("kube-proxy-conntrack-missing", 2, 2)
    thanks = [c.params for c in slack.fake.calls_to("response_url") if c.params["_name"] == "v1"]
    assert thanks[0]["text"].startswith("Thanks for the feedback") and thanks[0]["replace_original"] is False
    metrics = slack.deps.metrics
    assert metrics.value("k8sfix_feedback_total", {"topic": "kube-proxy-conntrack-missing", "helpful": "yes"}) == 2
    assert metrics.value("k8sfix_feedback_total", {"topic": "kube-proxy-conntrack-missing", "helpful": "no"}) == 1


def test_feedback_on_an_unknown_answer_says_it_expired(slack: Harness) -> None:
    slack.action("k8sfix_helpful", qid="0" * 32)
    assert "no longer available" in slack.fake.wait_for("response_url")[0].params["text"]


def test_the_language_menu_rerenders_a_private_answer_in_place(slack: Harness) -> None:
    # given
    qid = answer_qid(_ask(slack))
    # when
    slack.action("k8sfix_language", qid=qid, selected="ru", response="lang")
    # then
    answer = slack.wait_response("lang")
    blocks = blocks_of(answer)
    assert answer["replace_original"] is True
    assert header(blocks) == "kube-proxy не находит бинарник conntrack"
    select = next(e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "static_select")
    assert select["initial_option"]["value"] == "ru"


def test_the_language_menu_updates_a_thread_answer(slack: Harness) -> None:
    # given: an answer in a thread
    slack.event({"type": "app_mention", "channel": "C0CHAN1", "user": "U0USER1", "ts": next_ts(),
                 "text": f"<@UBOT0001> {CONNTRACK}"})
    post = slack.fake.wait_for("chat.postMessage")[0]
    qid = answer_qid(blocks_of(post.params))
    # when
    slack.action("k8sfix_language", qid=qid, selected="zh-Hant", ephemeral=False, message_ts="1700000001.000001")
    # then
    [update] = slack.fake.wait_for("chat.update")
    assert update.params["ts"] == "1700000001.000001"
    assert header(blocks_of(update.params)) == "kube-proxy 找不到 conntrack 執行檔"


def test_choosing_a_closest_topic_replaces_the_abstention(slack: Harness, store: Store) -> None:
    # given
    blocks = _ask(slack, "ImagePullBackOff")
    buttons = next(b for b in blocks if b["type"] == "actions")
    choice = buttons["elements"][0]
    # when
    slack.action(choice["action_id"], value=choice["value"], block_id=buttons["block_id"], response="pick")
    # then
    answer = slack.wait_response("pick")
    assert answer["replace_original"] is True
    shown = blocks_of(answer)
    assert f"`{choice['value']}`" in shown[1]["elements"][0]["text"]
    new = store.get_query(answer_qid(shown))
    assert new is not None and new.entry_id == choice["value"] and new.entry_point == "topic"


def test_a_related_topic_of_a_thread_answer_is_shown_privately(slack: Harness) -> None:
    # given
    slack.event({"type": "app_mention", "channel": "C0CHAN1", "user": "U0USER1", "ts": next_ts(),
                 "text": f"<@UBOT0001> {CONNTRACK}"})
    blocks = blocks_of(slack.fake.wait_for("chat.postMessage")[0].params)
    topics = next(b for b in blocks if str(b.get("block_id", "")).startswith("k8sfix_topics:"))
    related = topics["elements"][0]
    # when
    slack.action(related["action_id"], value=related["value"], block_id=topics["block_id"], ephemeral=False,
                 thread_ts="1700000000.000200", user="U0USER3")
    # then
    [private] = slack.fake.wait_for("chat.postEphemeral")
    assert private.params["user"] == "U0USER3" and private.params["thread_ts"] == "1700000000.000200"
    assert f"`{related['value']}`" in all_text(blocks_of(private.params))
    assert not slack.fake.calls_to("chat.update")


def test_an_unknown_topic_is_reported(slack: Harness) -> None:
    slack.action("k8sfix_show_entry_0", value="no-such-entry", block_id="k8sfix_topics:x")
    assert "no-such-entry" in slack.fake.wait_for("response_url")[0].params["text"]


# -- cluster checks --------------------------------------------------------------------------------


@pytest.fixture
def checks(tmp_path: Path) -> ChecksSettings:
    return ChecksSettings(enabled=True, kubeconfig=str(tmp_path / "no-kubeconfig"),
                          allowed_users=frozenset({"U0ADMIN1"}), allowed_channels=frozenset({"C0OPS001"}))


def test_the_checks_button_is_hidden_when_checks_are_off(make_harness: Callable[..., Harness]) -> None:
    off = make_harness(checks=ChecksSettings(enabled=False))
    assert "k8sfix_run_checks" not in action_ids(_ask(off, FORBIDDEN))


def test_the_checks_button_shows_only_for_topics_with_checks(make_harness: Callable[..., Harness],
                                                             checks: ChecksSettings, matcher: Matcher) -> None:
    # given: one topic with checks, one without (looked up by id)
    slack = make_harness(checks=checks)
    with_checks = matcher.kb.get("apiserver-403-forbidden")
    without = next(e for e in sorted(matcher.kb.entries.values(), key=lambda e: e.id) if not e.checks)
    assert with_checks is not None and with_checks.checks
    # when / then: asked by a user allowed to run checks
    assert "k8sfix_run_checks" in action_ids(_ask(slack, FORBIDDEN, "with", user="U0ADMIN1"))
    assert "k8sfix_run_checks" not in action_ids(_ask(slack, without.id, "without", user="U0ADMIN1"))


@pytest.mark.parametrize(("user", "channel"), [("U0USER1", "C0CHAN1"), ("", "C0CHAN1")])
def test_checks_are_refused_to_users_and_channels_not_on_the_allow_list(
        make_harness: Callable[..., Harness], checks: ChecksSettings, user: str, channel: str) -> None:
    slack = make_harness(checks=checks)
    qid = answer_qid(_ask(slack, FORBIDDEN))
    slack.action("k8sfix_run_checks", qid=qid, user=user or "U0NOBODY", channel=channel, response="chk")
    answer = slack.wait_response("chk")
    assert "may not run cluster checks" in answer["text"]


def test_an_allowed_user_runs_the_checks_and_gets_the_report(make_harness: Callable[..., Harness],
                                                             checks: ChecksSettings) -> None:
    # given
    slack = make_harness(checks=checks)
    qid = answer_qid(_ask(slack, FORBIDDEN))
    # when
    slack.action("k8sfix_run_checks", qid=qid, user="U0ADMIN1", response="chk")
    slack.idle()
    # then: the report follows the progress message
    report = slack.responses("chk")[-1]
    text = all_text(blocks_of(report))
    assert "Cluster checks" in text and "`apiserver-access`" in text and "Could not run" in text
    slack.idle()
    assert slack.deps.metrics.value("k8sfix_check_runs_total", {"status": "failed"}) == 1


def test_checks_from_an_allowed_channel_report_in_the_thread(make_harness: Callable[..., Harness],
                                                             checks: ChecksSettings) -> None:
    slack = make_harness(checks=checks)
    slack.event({"type": "app_mention", "channel": "C0OPS001", "user": "U0USER1", "ts": next_ts(),
                 "text": f"<@UBOT0001> {FORBIDDEN}"})
    qid = answer_qid(blocks_of(slack.fake.wait_for("chat.postMessage")[0].params))
    slack.action("k8sfix_run_checks", qid=qid, channel="C0OPS001", ephemeral=False,
                 message_ts="1700000000.000300", thread_ts="1700000000.000299")
    progress = slack.fake.wait_for("chat.postMessage", 2)[1]
    [report] = slack.fake.wait_for("chat.update")
    assert progress.params["thread_ts"] == "1700000000.000299" and report.params["channel"] == "C0OPS001"
    assert "Cluster checks" in report.params["text"]


def test_a_click_on_checks_when_they_are_off_is_explained(slack: Harness) -> None:
    slack.action("k8sfix_run_checks", qid="x")
    assert "not enabled" in slack.fake.wait_for("response_url")[0].params["text"]
