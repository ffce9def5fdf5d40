"""``/k8sfix list|show``, the App Home tab, "Was it one of these?" after a 👎, and answers to logs in the
asker's Slack locale: signed requests into the app, Web API calls read from the fake Slack."""

from __future__ import annotations

import json

from slack_harness import Harness, action_ids, all_text, answer_qid, blocks_of, header

from bot.cli.stats_cmd import format_stats
from bot.store import Store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')


def _ask(slack: Harness, text: str, response: str = "r1") -> list[dict]:
    slack.command(text, response=response)
    return blocks_of(slack.wait_response(response))


def test_list_shows_every_topic_by_area(slack: Harness) -> None:
    blocks = _ask(slack, "list")
    text = all_text(blocks)
    assert header(blocks) == "Knowledge base topics"
    assert "*Windows nodes*" in text and "*DNS*" in text and "`kube-proxy-conntrack-missing`" in text
    assert f"{len(slack.deps.matcher.kb)} topics" in text
    assert slack.responses("r1")[0]["response_type"] == "ephemeral"


def test_list_with_a_word_filters_and_says_when_nothing_matches(slack: Harness) -> None:
    text = all_text(_ask(slack, "list conntrack"))
    assert "`kube-proxy-conntrack-missing`" in text and "`win-hns-wrong-diskette`" not in text
    assert "No topic matches “zzzz”" in all_text(_ask(slack, "list zzzz", response="r2"))


def test_show_id_shows_the_entry_and_names_an_unknown_id(slack: Harness) -> None:
    blocks = _ask(slack, "show kube-proxy-conntrack-missing")
    assert header(blocks) == "kube-proxy cannot find the conntrack binary"
    assert "There is no knowledge-base entry with the id `no-such-id`" in all_text(_ask(slack, "show no-such-id",
                                                                                         response="r2"))


def test_a_question_that_starts_with_list_is_still_a_question(slack: Harness) -> None:
    blocks = _ask(slack, "list of pods cannot resolve service names")
    assert header(blocks) != "Knowledge base topics"


def test_help_escapes_the_angle_brackets_of_its_usage(slack: Harness) -> None:
    text = all_text(_ask(slack, "help"))
    assert "&lt;error | symptom&gt;" in text and "<error | symptom>" not in text
    assert "list [word]" in text and "show ID" in text


def test_a_log_is_answered_in_the_askers_slack_locale(slack: Harness) -> None:
    # given: a Brazilian user pasting an English log
    slack.fake.locales["U0USER1"] = "pt-BR"
    # when
    blocks = _ask(slack, CONNTRACK)
    _ask(slack, "Back-off restarting failed container; conntrack returned error", response="r2")
    # then
    assert header(blocks) == "O kube-proxy não encontra o binário conntrack"
    [lookup] = slack.fake.calls_to("users.info")  # looked up once, then cached
    assert lookup.params["include_locale"] in (True, "true", "1")


def test_english_prose_is_answered_in_english_whatever_the_locale(slack: Harness) -> None:
    slack.fake.locales["U0USER1"] = "ru-RU"
    blocks = _ask(slack, "why does my kube-proxy say conntrack not found?")
    assert header(blocks) == "kube-proxy cannot find the conntrack binary"


def test_not_helpful_offers_the_other_candidates_and_keeps_the_pick(slack: Harness, store: Store) -> None:
    # given
    qid = answer_qid(_ask(slack, CONNTRACK))
    # when
    slack.action("k8sfix_not_helpful", qid=qid, response="v1")
    offer = blocks_of(slack.wait_response("v1"))
    # then
    assert "*Was it one of these?*" in all_text(offer)
    picks = [e for b in offer if b["type"] == "actions" for e in b["elements"]]
    assert picks[-1]["action_id"] == "k8sfix_correct_none"
    assert {"k8sfix_correct_0", "k8sfix_correct_none"} <= set(action_ids(offer))
    block_id = next(b["block_id"] for b in offer if b["type"] == "actions")
    chosen = picks[0]["value"]
    assert chosen and chosen != "kube-proxy-conntrack-missing"
    # when: the asker picks the first one
    slack.action("k8sfix_correct_0", value=chosen, block_id=block_id, response="c1")
    slack.idle()
    # then: thanked, the picked topic shown in place of the offer, the correction kept
    posts = slack.responses("c1")
    assert any("was the right topic" in p["text"] for p in posts)
    shown = next(p for p in posts if p.get("replace_original") is True)
    assert header(blocks_of(shown)) == slack.deps.matcher.kb.entries[chosen].text_in("en").title
    [correction] = store.stats().corrections
    assert (correction.answered_id, correction.chosen_id, correction.count) == (
        "kube-proxy-conntrack-missing", chosen, 1)
    assert f"kube-proxy-conntrack-missing -> {chosen}" in format_stats(store.stats())


def test_none_of_these_is_kept_too(slack: Harness, store: Store) -> None:
    qid = answer_qid(_ask(slack, CONNTRACK))
    slack.action("k8sfix_not_helpful", qid=qid, response="v1")
    slack.wait_response("v1")
    slack.action("k8sfix_correct_none", value="", block_id=f"k8sfix_correct:{qid}", response="c1")
    slack.idle()
    assert "none of these topics fit" in slack.responses("c1")[0]["text"]
    [correction] = store.stats().corrections
    assert correction.chosen_id == ""


def test_helpful_offers_nothing_more(slack: Harness) -> None:
    qid = answer_qid(_ask(slack, CONNTRACK))
    slack.action("k8sfix_helpful", qid=qid, response="v1")
    assert "Was it one of these" not in all_text(blocks_of(slack.wait_response("v1")))


def test_app_home_publishes_usage_topics_and_triage_channels(slack: Harness, store: Store) -> None:
    # given: triage switched on in one channel, off in another
    store.set_triage("C0TRIAGE1", True)
    store.set_triage("C0QUIET02", False)
    slack.fake.locales["U0USER1"] = "ru-RU"
    # when
    response = slack.event({"type": "app_home_opened", "user": "U0USER1", "channel": "D0HOME1", "tab": "home"})
    # then
    assert response.status == 200
    [call] = slack.fake.wait_for("views.publish")
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert call.params["user_id"] == "U0USER1" and view["type"] == "home"
    text = all_text(view["blocks"])
    assert "<#C0TRIAGE1>" in text and "C0QUIET02" not in text
    assert "*Узлы Windows*" in text and "`kube-proxy-conntrack-missing`" in text
    assert "list [word]" in text and len(view["blocks"]) <= 100


def test_the_messages_tab_does_not_publish_a_home(slack: Harness) -> None:
    slack.event({"type": "app_home_opened", "user": "U0USER1", "channel": "D0HOME1", "tab": "messages"})
    slack.idle()
    assert slack.fake.calls_to("views.publish") == []
