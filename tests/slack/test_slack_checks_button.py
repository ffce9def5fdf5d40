""""Run cluster checks" from Slack: offered only where it can run, visibly in progress, reports in full.

Signed requests into the app with the fake Web API; the checks run with the real
``kubernetes`` client against the fake API server of ``tests/checks``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_apiserver import FakeApiServer
from slack_fakes import FakeSlack
from slack_harness import Harness, action_ids, all_text, answer_qid, blocks_of, message_event, next_ts

from bot.checks import CHECK_IDS, ChecksSettings
from bot.matching import Matcher, load_matcher

FORBIDDEN = ('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" '
             'cannot list resource "pods" in API group "" in the namespace "prod"')
ADMIN, OPS = "U0ADMIN1", "C0OPS001"
BUTTON = "k8sfix_run_checks"


@pytest.fixture
def apiserver() -> Iterator[FakeApiServer]:
    with FakeApiServer("healthy") as server:
        yield server
    assert {r.method for r in server.requests} <= {"GET"}
    assert not [r.path for r in server.requests if "secrets" in r.path.lower()]


def _settings(kubeconfig: Path, **overrides: object) -> ChecksSettings:
    values: dict[str, object] = {"enabled": True, "kubeconfig": str(kubeconfig), "timeout": 5.0, "budget": 10.0,
                                 "allowed_users": frozenset({ADMIN}), "allowed_channels": frozenset({OPS})}
    values.update(overrides)
    return ChecksSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def checks(apiserver: FakeApiServer, tmp_path: Path) -> ChecksSettings:
    return _settings(apiserver.kubeconfig(tmp_path))


def _private_answer(slack: Harness, user: str = "U0USER1", channel: str = "C0CHAN1",
                    response: str = "r1") -> list[dict]:
    slack.command(FORBIDDEN, user=user, channel=channel, response=response)
    return blocks_of(slack.wait_response(response))


def _thread_answer(slack: Harness, fake: FakeSlack, channel: str, user: str = "U0USER1") -> list[dict]:
    before = len(fake.calls_to("chat.postMessage"))
    slack.event({"type": "app_mention", "channel": channel, "user": user, "ts": next_ts(),
                 "text": f"<@UBOT0001> {FORBIDDEN}"})
    return blocks_of(fake.wait_for("chat.postMessage", before + 1)[before].params)


# -- who is offered the button ---------------------------------------------------------------------


def test_no_answer_offers_checks_when_nobody_may_run_them(make_harness: Callable[..., Harness], fake: FakeSlack,
                                                          tmp_path: Path) -> None:
    # given: checks enabled, both allow-lists empty (the default)
    slack = make_harness(checks=_settings(tmp_path / "kubeconfig", allowed_users=frozenset(),
                                          allowed_channels=frozenset()))
    # when / then: neither a private answer nor a thread answer shows a button that could only refuse
    assert BUTTON not in action_ids(_private_answer(slack, user=ADMIN))
    assert BUTTON not in action_ids(_thread_answer(slack, fake, OPS, user=ADMIN))
    slack.idle()


@pytest.mark.parametrize(("user", "channel", "offered"), [
    (ADMIN, "C0CHAN1", True),       # the user is allowed, and only they see it
    ("U0USER1", OPS, True),         # anyone in an allowed channel
    ("U0USER1", "C0CHAN1", False),  # neither
])
def test_a_private_answer_offers_checks_to_an_allowed_viewer(make_harness: Callable[..., Harness],
                                                             checks: ChecksSettings, user: str, channel: str,
                                                             offered: bool) -> None:
    slack = make_harness(checks=checks)
    assert (BUTTON in action_ids(_private_answer(slack, user=user, channel=channel))) is offered


@pytest.mark.parametrize(("user", "channel", "offered"), [
    ("U0USER1", OPS, True),          # everyone in an allowed channel may click
    (ADMIN, "C0CHAN1", False),       # seen by the whole channel: the asker being allowed is not enough
    (ADMIN, "D0ADMIN01", True),      # the bot's DM with an allowed user is seen by that user alone
    ("U0USER1", "D0USER001", False),
])
def test_a_thread_answer_offers_checks_only_where_every_viewer_may_run_them(
        make_harness: Callable[..., Harness], fake: FakeSlack, checks: ChecksSettings, user: str, channel: str,
        offered: bool) -> None:
    slack = make_harness(checks=checks)
    if channel.startswith("D"):
        before = len(fake.calls_to("chat.postMessage"))
        slack.event(message_event(FORBIDDEN, channel=channel, user=user, channel_type="im"))
        blocks = blocks_of(fake.wait_for("chat.postMessage", before + 1)[before].params)
    else:
        blocks = _thread_answer(slack, fake, channel, user=user)
    assert (BUTTON in action_ids(blocks)) is offered
    slack.idle()


def test_an_answer_posted_to_a_channel_offers_checks_only_if_the_channel_is_allowed(
        make_harness: Callable[..., Harness], fake: FakeSlack, checks: ChecksSettings) -> None:
    # given: an allowed user's private answer, with the button, in a channel that is not allowed
    slack = make_harness(checks=checks)
    qid = answer_qid(_private_answer(slack, user=ADMIN))
    # when: they post it for everyone
    slack.action("k8sfix_post", qid=qid, user=ADMIN, response="post")
    [post] = fake.wait_for("chat.postMessage")
    # then
    assert BUTTON not in action_ids(blocks_of(post.params))
    slack.idle()


def test_a_click_on_an_old_button_says_which_setting_would_allow_it(make_harness: Callable[..., Harness],
                                                                   checks: ChecksSettings) -> None:
    # given: an answer that offered checks; the allow-list changed since
    slack = make_harness(checks=checks)
    qid = answer_qid(_private_answer(slack, user=ADMIN))
    # when: someone not allowed clicks it
    slack.action(BUTTON, qid=qid, user="U0USER1", channel="C0CHAN1", response="chk")
    # then
    text = slack.wait_response("chk")["text"]
    assert "K8SFIX_CHECKS_ALLOWED_USERS" in text and "`U0USER1`" in text
    assert "K8SFIX_CHECKS_ALLOWED_CHANNELS" in text and "`C0CHAN1`" in text
    assert len(slack.responses("chk")) == 1


# -- progress, then the report ---------------------------------------------------------------------


def test_a_private_click_shows_progress_then_the_report(make_harness: Callable[..., Harness],
                                                        checks: ChecksSettings, apiserver: FakeApiServer) -> None:
    # given
    slack = make_harness(checks=checks)
    qid = answer_qid(_private_answer(slack, user=ADMIN))
    # when
    slack.action(BUTTON, qid=qid, user=ADMIN, response="chk")
    slack.idle(30)
    # then: "running 1 check" first, then the report of a check that read the fake cluster
    progress, report = slack.responses("chk")
    assert "Running 1 cluster check for `apiserver-403-forbidden`" in progress["text"]
    text = all_text(blocks_of(report))
    assert "Cluster checks" in text and "`apiserver-access`" in text and "Could not run" not in text
    assert apiserver.requests, "the check never reached the API server"


def test_a_thread_click_posts_progress_that_the_report_replaces(make_harness: Callable[..., Harness],
                                                                fake: FakeSlack, checks: ChecksSettings) -> None:
    # given: an answer in an allowed channel's thread
    slack = make_harness(checks=checks)
    qid = answer_qid(_thread_answer(slack, fake, OPS))
    # when
    slack.action(BUTTON, qid=qid, channel=OPS, ephemeral=False, message_ts="1700000000.000300",
                 thread_ts="1700000000.000299")
    slack.idle(30)
    # then
    progress = fake.calls_to("chat.postMessage")[1]
    assert progress.params["thread_ts"] == "1700000000.000299" and "Running 1 cluster check" in progress.params["text"]
    [update] = fake.calls_to("chat.update")
    assert update.at >= progress.at and update.params["channel"] == OPS
    assert "Cluster checks" in all_text(blocks_of(update.params)) and "`apiserver-access`" in all_text(
        blocks_of(update.params))
    assert len(fake.calls_to("chat.postMessage")) == 2  # the report took the progress message's place


def test_progress_shows_while_the_cluster_has_not_answered(make_harness: Callable[..., Harness], tmp_path: Path,
                                                           ) -> None:
    # given: an API server that never answers
    with FakeApiServer("healthy", mode="hang") as hanging:
        slack = make_harness(checks=_settings(hanging.kubeconfig(tmp_path), timeout=1.0, budget=2.0))
        qid = answer_qid(_private_answer(slack, user=ADMIN))
        # when
        slack.action(BUTTON, qid=qid, user=ADMIN, response="chk")
        first = slack.wait_response("chk")
        # then: the progress is out while the check still waits for the cluster
        assert "Running 1 cluster check" in first["text"] and len(slack.responses("chk")) == 1
        slack.idle(30)
    progress, report = slack.responses("chk")
    assert progress == first and "K8SFIX_CHECK_TIMEOUT" in all_text(blocks_of(report))


# -- a report too long for one message -------------------------------------------------------------


@pytest.fixture(scope="module")
def many_checks_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    """The real KB plus a team entry listing every catalog check and many of the team's own (not installed)."""
    folder = tmp_path_factory.mktemp("many-checks-kb")
    ids = [*sorted(CHECK_IDS), *(f"team-check-{i:02d}" for i in range(50))]
    (folder / "many-checks-entry.yaml").write_text(
        "id: many-checks-entry\nkind: error\nsources:\n  - {file: team.txt, section: team}\n"
        "signatures: ['many checks marker error']\n"
        f"checks: [{', '.join(ids)}]\n"
        "text:\n  en:\n    title: An entry with many checks\n    symptoms: [it has many checks]\n"
        "    impact: Everything.\n    causes:\n      - cause: Many things.\n        fix: [Check them all.]\n",
        encoding="utf-8")
    return load_matcher([folder])


@pytest.mark.parametrize("ephemeral", [True, False])
def test_a_shortened_report_comes_with_its_full_text(make_harness: Callable[..., Harness], fake: FakeSlack,
                                                     checks: ChecksSettings, many_checks_matcher: Matcher,
                                                     ephemeral: bool) -> None:
    # given: an answer for the entry with many checks
    slack = make_harness(checks=checks, matcher_=many_checks_matcher)
    if ephemeral:
        slack.command("many-checks-entry", user=ADMIN, response="r1")
        qid = answer_qid(blocks_of(slack.wait_response("r1")))
        slack.action(BUTTON, qid=qid, user=ADMIN, response="chk")
    else:
        slack.command("many-checks-entry", user="U0USER1", channel=OPS, response="r1")
        qid = answer_qid(blocks_of(slack.wait_response("r1")))
        slack.action(BUTTON, qid=qid, channel=OPS, ephemeral=False, message_ts="1700000000.000400")
    slack.idle(60)
    # then: the report says it was shortened, and the file it names was uploaded with every result
    report = slack.responses("chk")[1] if ephemeral else fake.calls_to("chat.update")[0].params
    notice = "I sent you the full text as a file in a direct message" if ephemeral else "the full text is attached"
    assert "The report was shortened to fit Slack" in all_text(blocks_of(report)) and notice in all_text(
        blocks_of(report))
    [complete] = fake.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == ("DU0ADMIN1" if ephemeral else OPS)
    [upload] = fake.calls_to("upload")
    content = fake.uploads[upload.params["file_id"]].decode("utf-8")
    assert "team-check-49" in content and "apiserver-access" in content and "windows-nodes" in content
