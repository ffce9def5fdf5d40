from __future__ import annotations

import pytest

from bot.matching.lang import detect_language
from bot.matching.types import answer_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my pods are stuck and the node keeps going NotReady", "en"),
        ("os pods não conseguem resolver o nome do serviço depois da atualização", "pt"),
        ("поды на ноде не могут достучаться до сервиса", "ru"),
        ("节点上的容器一直重启，日志里没有错误", "zh-Hans"),
        ("節點上的容器一直重啟，日誌裡沒有錯誤", "zh-Hant"),
        ("los pods del nodo no arrancan después de la actualización", "es"),
        ("ノードのディスクがいっぱいになっています", "ja"),
        ("der Pod startet nicht und ich weiß nicht warum", "de"),
    ],
)
def test_detects_the_asker_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_log_lines_do_not_outvote_the_prose() -> None:
    # given a Portuguese question around an English log block
    text = (
        "o kube-proxy está mostrando isso e não sei o que fazer:\n"
        "```\nE0502 15:55:13.889842 2241 conntrack.go:42] conntrack returned error: the path is not found\n```"
    )
    # then the answer language follows the prose
    assert detect_language(text) == "pt"


def test_chinese_sentence_around_english_log_is_chinese() -> None:
    text = "kube-proxy 一直报错 conntrack returned error: error looking for path of conntrack，怎么办"
    assert detect_language(text) == "zh-Hans"


@pytest.mark.parametrize("text", ["", "   ", "🔥🔥 👀", "12345 !!!"])
def test_no_words_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


@pytest.mark.parametrize(
    ("detected", "kb_lang"),
    [("en", "en"), ("pt", "pt"), ("ru", "ru"), ("zh-Hans", "zh"), ("zh-Hant", "zh"), ("es", "en"), ("ja", "en"),
     ("de", "en"), ("und", "en")],
)
def test_answer_language_falls_back_to_english(detected: str, kb_lang: str) -> None:
    assert answer_language(detected) == kb_lang
