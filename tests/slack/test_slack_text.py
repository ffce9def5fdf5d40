"""Pure helpers: Slack text to plain text, binary detection, paste limits, languages, file hosts, limits."""

from __future__ import annotations

import json

import pytest

from bot.slack.files import is_text_file, token_may_go_to
from bot.slack.language import choose_language, display_language_of_locale, display_language_of_query, kb_language
from bot.slack.limits import MAX_BLOCKS, MAX_SECTION_CHARS, clip_mrkdwn, fit_blocks, size_of
from bot.slack.paste import limit_paste, looks_binary, message_text, slack_to_plain
from bot.slack.render import escape_code, escape_mrkdwn


@pytest.mark.parametrize(("raw", "plain"), [
    ("<@UBOT0001> why &lt;none&gt; &amp; Pending?", "why <none> & Pending?"),
    ("see <https://k8s.io/docs|the docs> and <https://example.com>", "see the docs and https://example.com"),
    ("ping <@U123ABC> in <#C999|oncall> <!here>", "ping @U123ABC in #oncall @here"),
    ("```kubectl get pods\nError: ImagePullBackOff```", "kubectl get pods\nError: ImagePullBackOff"),
])
def test_slack_to_plain(raw: str, plain: str) -> None:
    assert slack_to_plain(raw, "UBOT0001") == plain


def test_binary_junk_is_recognised_and_real_logs_are_not() -> None:
    assert looks_binary("\x00\x01\x02\x03PK\x03\x04" * 100)
    assert looks_binary("\ufffd\ufffd\ufffdELF" * 200)
    assert not looks_binary("E1121 12:00:00 kube-proxy: conntrack not found\n\ttab and 中文 and кириллица")
    assert not looks_binary("")


def test_a_long_paste_keeps_its_head_and_tail_on_line_breaks() -> None:
    # given
    text = "first command\n" + "noise line\n" * 100_000 + "the real error at the end\n"
    # when
    cut, was_cut = limit_paste(text, 10_000)
    short, short_cut = limit_paste("short", 10_000)
    # then
    assert was_cut and len(cut) <= 10_001
    assert cut.startswith("first command\n") and cut.rstrip().endswith("the real error at the end")
    assert all(line in ("first command", "noise line", "the real error at the end", "") for line in cut.split("\n"))
    assert (short, short_cut) == ("short", False)


def test_message_text_reads_alert_attachments_and_blocks() -> None:
    alert = {"text": "", "attachments": [{"title": "[FIRING:1] KubeProxyDown", "text": "kube-proxy is down",
                                          "fields": [{"title": "node", "value": "n1"}], "fallback": "fb"}]}
    blocks_only = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "CoreDNS crashloop"}}]}
    assert message_text(alert) == "[FIRING:1] KubeProxyDown\nkube-proxy is down\nnode: n1"
    assert message_text(blocks_only) == "CoreDNS crashloop"
    assert message_text({"text": "plain", "blocks": blocks_only["blocks"]}) == "plain"


@pytest.mark.parametrize(("query", "locale", "expected"), [
    ("en", "pt-BR", "en"),
    ("pt", None, "pt"),
    ("zh-Hans", "en-US", "zh"),
    ("zh-Hant", "en-US", "zh-Hant"),
    ("und", "pt-BR", "pt"),
    ("und", "zh-TW", "zh-Hant"),
    ("und", "zh-CN", "zh"),
    ("es", "ru-RU", "ru"),
    ("es", "es-ES", "en"),
    ("und", None, "en"),
])
def test_language_choice(query: str, locale: str | None, expected: str) -> None:
    asked: list[bool] = []

    def user_locale() -> str | None:
        asked.append(True)
        return locale

    assert choose_language(query, user_locale) == expected
    assert bool(asked) == (display_language_of_query(query) is None)


def test_locale_and_kb_language_mapping() -> None:
    assert display_language_of_locale("zh-HK") == "zh-Hant"
    assert display_language_of_locale("ja-JP") is None
    assert [kb_language(x) for x in ("en", "pt", "ru", "zh", "zh-Hant")] == ["en", "pt", "ru", "zh", "zh"]


@pytest.mark.parametrize(("url", "api_host", "allowed"), [
    ("https://files.slack.com/files-pri/T1-F1/x.txt", "slack.com", True),
    ("https://slack.com/files-pri/T1-F1/x.txt", "slack.com", True),
    ("https://files.slack-gov.com/files-pri/T1-F1/x.txt", "slack-gov.com", True),
    ("https://files.slack.com.evil.example/x.txt", "slack.com", False),
    ("https://evilslack.com/x.txt", "slack.com", False),
    ("http://files.slack.com/x.txt", "slack.com", False),
    ("http://127.0.0.1:8123/files/x", "127.0.0.1", True),
    ("http://127.0.0.2:8123/files/x", "127.0.0.1", False),
    ("file:///etc/passwd", "slack.com", False),
])
def test_the_bot_token_only_goes_to_slack_file_hosts(url: str, api_host: str, allowed: bool) -> None:
    assert token_may_go_to(url, api_host) is allowed


def test_text_files_are_recognised() -> None:
    assert is_text_file({"mode": "snippet", "filetype": "text"})
    assert is_text_file({"mimetype": "text/plain"})
    assert is_text_file({"filetype": "yaml", "mimetype": "application/octet-stream"})
    assert not is_text_file({"filetype": "png", "mimetype": "image/png"})


def test_escaping_keeps_pasted_text_from_pinging_or_breaking_code_blocks() -> None:
    assert escape_mrkdwn("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert "```" not in escape_code("end ``` here")


def test_clip_mrkdwn_cuts_at_a_line_and_closes_an_open_fence() -> None:
    # given
    text = "*Diagnose*\n```\n" + "\n".join(f"kubectl get pods -n ns{i}" for i in range(400)) + "\n```"
    # when
    clipped = clip_mrkdwn(text, MAX_SECTION_CHARS)
    # then
    assert len(clipped) <= MAX_SECTION_CHARS
    assert clipped.count("```") % 2 == 0 and clipped.endswith("```\n…")
    assert all(line.startswith(("kubectl get pods -n ns", "*Diagnose*", "```", "…")) for line in clipped.split("\n"))


def test_fit_blocks_drops_body_blocks_but_keeps_the_actions() -> None:
    # given
    body = [{"type": "section", "text": {"type": "mrkdwn", "text": f"step {i} " + "x" * 900}} for i in range(60)]
    actions = {"type": "actions", "block_id": "k8sfix:q", "elements": [{"type": "button", "action_id": "a",
                                                                        "text": {"type": "plain_text", "text": "A"}}]}
    notice = {"type": "context", "elements": [{"type": "mrkdwn", "text": "cut"}]}
    # when
    fitted = fit_blocks([*body, {"type": "divider"}, actions], notice)
    # then
    assert fitted.truncated
    assert len(fitted.blocks) <= MAX_BLOCKS and size_of(fitted.blocks) <= 12_000
    assert fitted.blocks[-1] == actions and fitted.blocks[-3] == notice
    assert json.loads(json.dumps(fitted.blocks))[0]["text"]["text"].startswith("step 0")


def test_fit_blocks_leaves_a_small_message_alone() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "short"}}]
    fitted = fit_blocks(blocks, {"type": "divider"})
    assert fitted.blocks == blocks and not fitted.truncated
