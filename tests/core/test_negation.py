"""A rule-out's context that the asker says is absent rules nothing out."""

from __future__ import annotations

import re

import pytest

from bot.kb.models import NotWhen
from bot.matching.context import ContextRules, Setting
from bot.matching.negation import affirmed, negated
from tests.core.test_discrimination import _entry

RESTORE = re.compile(r"(?i)etcd\b.{0,40}\brestor|restor\w*\s+(the\s+)?etcd|восстановлени\w*\s+etcd|etcd.{0,20}恢复")


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("No etcd restore or anything like that, it started with a second controller", True),
        ("we did not restore etcd, the errors began after the upgrade", True),
        ("There was never an etcd restore on this cluster", True),
        ("мы не делали восстановление etcd", True),
        ("集群没有做过 etcd 恢复", True),
        ("After the etcd restore this morning the HPAs stopped updating", False),
        ("We restored etcd from last night's snapshot", False),
        # a "no" in an earlier clause, or far before the mention, denies nothing
        ("no alerts fired. Then we restored etcd from the snapshot", False),
        ("no idea why, but since we did the etcd restore nothing updates", False),
    ],
)
def test_a_mention_is_denied_only_by_the_words_just_before_it_in_its_clause(text: str, denied: bool) -> None:
    mention = RESTORE.search(text)
    assert mention is not None
    assert negated(text, mention.start()) is denied


def test_one_affirmed_mention_among_denied_ones_is_enough() -> None:
    text = "No etcd restore on staging. On prod we restored etcd yesterday"
    assert affirmed(RESTORE, text)
    assert not affirmed(RESTORE, "No etcd restore was done")


def test_a_denied_context_does_not_rule_the_entry_out() -> None:
    # given an entry ruled out by an etcd restore
    rules = ContextRules([_entry("conflict", (), (NotWhen(RESTORE.pattern, "stale caches after a restore"),))])
    conflict = ('"error": "Operation cannot be fulfilled on tenants.acme.io \\"blue\\": the object has been modified"\n'
                "{context}")
    # then a paste saying there was no restore keeps its full score, and one saying there was does not
    denied = conflict.format(context="No etcd restore involved, a second controller writes the status.")
    stated = conflict.format(context="It started right after we restored etcd from a snapshot.")
    assert rules.fit(0, Setting.of(denied), denied).factor == 1.0
    assert rules.fit(0, Setting.of(stated), stated).ruled_out_by == ("stale caches after a restore",)


MESH = re.compile(r"(?i)\bistio\b")


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        # Japanese and Korean deny after the mention, with a verb of using or installing
        ("istio は使っていません。でも全部の Pod が Init:CrashLoopBackOff", True),
        ("istio は入れてないです", True),
        ("Istio 는 사용하지 않습니다", True),
        # the same languages reporting a problem with the thing affirm it
        ("istio を入れてから全部 Init:CrashLoopBackOff", False),
        ("istio が起動できない", False),
        ("istio 설치 후 안 됩니다", False),
        # 无法 is "cannot", not "no"
        ("我们无法启用 istio 的 sidecar 注入", False),
        ("我们没有装 istio", True),
    ],
)
def test_a_denial_after_the_mention_counts_only_for_verbs_of_using(text: str, denied: bool) -> None:
    mention = MESH.search(text)
    assert mention is not None
    assert negated(text, mention.start()) is denied


def test_a_denial_glued_to_the_latin_word_is_read() -> None:
    # Japanese writes the particle right after the word: "istio" is the mention, "は入れてない" the denial
    assert negated("istioは入れてないです", 0)
    assert not negated("istioを入れてから全部 Init:CrashLoopBackOff", 0)
