r"""What the text says about its setting, and which entries that setting rules out.

Three kinds of knowledge narrow the ranking after scoring:

- platform: an entry written only for one platform (tagged ``windows`` or ``aks`` and not
  ``linux``) needs evidence of that platform in the text: a PowerShell prompt, ``C:\\``, HNS/HCN,
  win-overlay; or AKS, Azure, kubenet. Without it, it loses to platform-neutral entries.
- ``not_when``: an entry's own rule-outs, patterns of look-alike text that is another problem
  (an x509 error inside an image pull is not the API server's certificate). A mention the asker
  denies ("no etcd restore involved") rules nothing out.
- ``needs``: evidence an entry's problem always leaves (a name lookup for a DNS entry); a text with
  none of it is about something else sharing the entry's words.

Every pattern here runs on untrusted text: plain alternations of literals and bounded classes only.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from bot.kb.models import Entry
from bot.matching.literals import Gate
from bot.matching.negation import affirmed

Scope = Callable[[int], tuple[str, str]]
"""For an entry, the name of the object its best line is about ("" for the whole text) and the text its
rule-outs are read in (see :mod:`bot.matching.objects`)."""

CONTEXT_CHARS = 20_000
"""Only this much of a paste is searched for setting and rule-outs: they show early, and it bounds cost."""

PLATFORM_EVIDENCE: dict[str, re.Pattern[str]] = {
    "windows": re.compile(
        r"\bwindows\b|\bwin(?:dows)?[ -]?(?:node|worker|server|host|pod|container)s?\b|powershell|\bps [a-z]:\\|"
        r"\b[a-z]:\\[\w$]|\bhns\w*|\bhcn\w*|\bhcs\w*|win-overlay|win-bridge|winoverlay|l2bridge|\w\.exe\b|"
        r"nanoserver|servercore|\bvfp\b|vmswitch|\bwins\b|\bltsc\b|\bwin32\b|виндовс|윈도우|ウィンドウズ|"
        r"\bwin(?:-?[a-z]{0,6})?(?:19|20|22|2019|2022|1809|1903|2004)\b|\bakswin\w*|kubeletwin|\biis\b|"
        r"mcr\.microsoft\.com/windows",
        re.IGNORECASE,
    ),
    "aks": re.compile(
        r"\baks\b|\baks(?:win|-nodepool|-agentpool)\w*|\bazure\b|\baz (?:aks|network|vm|login)\b|azmk8s|"
        r"\bkubenet\b|azure-cni|\bmc_\w|"
        r"\bacr\b|azurecr\.io|애저|アジュール",
        re.IGNORECASE,
    ),
}
"""Evidence of a platform in the text."""
_PLATFORM_GATES = {name: Gate(pattern) for name, pattern in PLATFORM_EVIDENCE.items()}

PROBLEM_MARKERS: dict[str, re.Pattern[str]] = {
    lang: re.compile(pattern, re.IGNORECASE)
    for lang, pattern in {
        "en": r"\b(?:errors?|err|fail\w*|fatal|panic|unable|cannot|can't|couldn't|could not|refused|denied|"
              r"forbidden|time[sd]? ?out|not|no|no longer|doesn'?t|don'?t|won'?t|isn'?t|aren'?t|wasn'?t|cant|couldnt|"
              r"never|stopped|"
              r"stuck|broken|keeps?|pending|crash\w*|hang\w*|hung|slow|issue|"
              r"(?<!is it a )(?<!is that a )(?<!is this a )problem|wrong|invalid|exceeded|"
              r"unhealthy|notready|backoff|back-off|killed|oomkilled|exhausted|unavailable|unreachable|reset|"
              r"insufficient|evicted|missing|waiting|nothing|none|lost|drop\w*)\b|<none>|\b[EWF]\d{4}\s",
        "pt": r"\b(?:não|nao|nunca|falh\w*|erro\w*|trav\w*|pres[oa]s?|parad[oa]|caiu|cai|caindo|problema\w*|sem|"
              r"encheu|cheio|cheia|lotad[oa]|sum\w*|somem|reinicia\w*|vaza\w*|lent[oa]|recusad[oa])\b",
        "es": r"\b(?:no|nunca|fall\w*|error\w*|atascad\w*|colgad\w*|problema\w*|sin|reinicia\w*|llen[oa]|"
              r"desaparec\w*|caíd[oa]|lent[oa]|rechaz\w*)\b",
        "de": r"\b(?:nicht|kein\w*|nie|fehl\w*|fehler\w*|hängt|hängen|problem\w*|ohne|ständig|voll|"
              r"verschw\w*|langsam|kaputt|abgestürzt|stürzt\w*|abgelehnt)\b",
        "fr": r"\b(?:ne|pas|jamais|échou\w*|erreur\w*|bloqu\w*|plant\w*|problème\w*|sans|impossible|introuvable|"
              r"redémarr\w*|plein|pleine|dispar\w*|lent\w*|refus\w*)\b",
        "ru": r"(?<!\w)(?:не|нет|никак|ошибк\w*|пада\w*|пад\w*|завис\w*|висит|висят|проблем\w*|без|сломал\w*|"
              r"перезапуска\w*|рестарт\w*|заполн\w*|пропада\w*|исчез\w*|медленн\w*|тормоз\w*|утечк\w*|раст[её]т|"
              r"таймаут\w*|отказ\w*)(?!\w)",
        "zh-Hans": r"无法|不能|不了|不到|不通|没有|失败|错误|报错|异常|卡住|卡在|问题|挂了|起不来|重启|满了|已满|消失|"
                   r"不见了|泄漏|泄露|超时|很慢|变慢|拒绝|崩溃",
        "zh-Hant": r"無法|不能|不了|不到|不通|沒有|失敗|錯誤|報錯|異常|卡住|卡在|問題|掛了|起不來|重啟|滿了|已滿|消失|"
                   r"不見了|洩漏|超時|很慢|變慢|拒絕|崩潰",
        "ja": r"できない|でき(?:ませ|な)|ません|ない|失敗|エラー|異常|止まっ|落ち|問題|再起動を繰り返|いっぱい|消え|"
              r"リーク|遅い|タイムアウト|拒否|クラッシュ",
        "ko": r"안 |안됩|안돼|못|없|실패|에러|오류|문제|멈|재시작|가득|사라|누수|느려|타임아웃|거부|크래시",
    }.items()
}
"""Words that say something is wrong, per language; English always counts, since logs are English."""


def reports_a_problem(text: str, lang: str) -> bool:
    """True when the text says something fails, rather than asking how to do something."""
    head = text[:CONTEXT_CHARS]
    own = PROBLEM_MARKERS.get(lang)
    return bool(PROBLEM_MARKERS["en"].search(head) or (own is not None and own.search(head)))


_GLUED = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])(?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9])(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])"
)
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def for_rules(text: str) -> str:
    r"""The head of ``text`` as the setting, rule-out and needs patterns read it.

    Chinese and Japanese writers glue Latin words to their own ("Windowsノード", "用kubectl查看");
    there a ``\b`` in a pattern finds no word boundary, since both sides are word characters. A
    space is put between the scripts, so ``\bwindows\b`` and ``\bkubectl\b`` hold as in English.
    """
    head = text[:CONTEXT_CHARS]
    return _GLUED.sub(" ", head) if _CJK_CHAR.search(head) else head


_NOTHING_FAILS = re.compile(
    r"\bnothing (?:is |seems |appears )?(?:broken|breaking|failing|wrong)\b|\bjust (?:curious|wondering)\b|"
    r"\bout of curiosity\b|\bnada (?:quebrou|está quebrado|está falhando)|\bsó (?:por )?curiosidade|"
    r"ничего не (?:ломается|сломано|падает)|просто (?:удивил\w*|интересно|любопытно)|只是好奇|"
    r"特に問題(?:は)?(?:ない|ありません|起きていません)",
    re.IGNORECASE,
)
_NOTHING_FAILS_HINTS = ("nothing", "curious", "wondering", "curiosity", "nada", "curiosidade", "ничего", "просто",
                        "只是好奇", "特に問題")
"""A word every statement of :data:`_NOTHING_FAILS` holds: most texts hold none, and the alternation is long."""


def says_nothing_fails(text: str) -> bool:
    """True when the asker says outright that nothing is broken: a question about how things work.

    Only plain statements count ("nothing is broken, just curious"); "everything works except the
    charts" reports a problem, so "everything works" alone is not read.
    """
    head = text[:CONTEXT_CHARS]
    lowered = head.lower()
    return any(hint in lowered for hint in _NOTHING_FAILS_HINTS) and bool(_NOTHING_FAILS.search(head))


NEUTRAL_TAG = "linux"
"""An entry tagged with this besides a platform applies everywhere."""

PLATFORM_PENALTY = 0.55
"""Score share kept by a platform-only entry when the text shows no sign of its platform."""
NOT_WHEN_PENALTY = 0.3
"""Score share kept by an entry whose rule-out pattern the text matches."""
NEEDS_PENALTY = 0.55
"""Score share kept by an entry none of whose ``needs`` patterns the text matches."""


@dataclass(frozen=True)
class Setting:
    """The platforms a text shows evidence of."""

    platforms: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Setting:
        """Read the setting from the first :data:`CONTEXT_CHARS` of ``text``."""
        head = text[:CONTEXT_CHARS]
        return cls(frozenset(name for name, gate in _PLATFORM_GATES.items() if gate.search(head)))


def required_platforms(entry: Entry) -> frozenset[str]:
    """Platforms an entry needs evidence of: the platform tags of an entry not also tagged ``linux``."""
    if NEUTRAL_TAG in entry.tags:
        return frozenset()
    return frozenset(tag for tag in entry.tags if tag in PLATFORM_EVIDENCE)


@dataclass(frozen=True)
class Fit:
    """How an entry fits the text's setting: the share of its score it keeps, and why."""

    factor: float = 1.0
    missing_platforms: tuple[str, ...] = ()
    ruled_out_by: tuple[str, ...] = ()
    """The ``why`` of each rule-out pattern that matched."""
    lacking: tuple[str, ...] = ()
    """The ``why`` of the entry's needs, when none matched."""

    @property
    def reasons(self) -> list[str]:
        """Human-readable reasons for a reduced score."""
        out = [f"no sign of {p} in the text" for p in self.missing_platforms]
        out += [f"no sign of {why}" for why in self.lacking]
        return out + [f"ruled out: {why}" for why in self.ruled_out_by]


class ContextRules:
    """The platform requirements and rule-out patterns of every entry, compiled once.

    Entries that share the same rules (every Windows-only entry without rule-outs, say) form
    one group, so a query checks each distinct rule once however large the KB is.
    """

    def __init__(self, entries: tuple[Entry, ...] | list[Entry]) -> None:
        keys: dict[tuple[frozenset[str], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], int] = {}
        group_of = []
        for entry in entries:
            key = (required_platforms(entry), tuple((n.pattern, n.why) for n in entry.not_when),
                   tuple((n.pattern, n.why) for n in entry.needs))
            group_of.append(keys.setdefault(key, len(keys)) if any(key) else -1)
        self._groups = [
            (required, tuple((Gate(p), why) for p, why in rules), tuple((Gate(p), why) for p, why in needs))
            for required, rules, needs in keys
        ]
        self._group_of = np.asarray(group_of, dtype=np.int64)

    def fit(self, index: int, setting: Setting, text: str, memo: dict[tuple[int, str], Fit] | None = None,
            scope: Scope | None = None) -> Fit:
        """The fit of entry ``index`` to a text with ``setting``.

        ``memo`` keeps the fits of rule sets already evaluated for this text: pass the same dict
        to every call of one query, so no rule runs twice over the same text. ``scope`` narrows
        where the entry's rule-outs are read; platform and needs are read in the whole text.
        """
        group = int(self._group_of[index])
        if group < 0:
            return Fit()
        memo = {} if memo is None else memo
        name, scoped = scope(index) if scope is not None and self._groups[group][1] else ("", text)
        found = memo.get((group, name))
        if found is None:
            found = memo[(group, name)] = self._group_fit(group, setting, text[:CONTEXT_CHARS],
                                                          scoped[:CONTEXT_CHARS])
        return found

    def factors(self, setting: Setting, text: str, bound: np.ndarray, keep: int,
                memo: dict[tuple[int, str], Fit] | None = None, scope: Scope | None = None) -> np.ndarray:
        """The share of its score each entry keeps in this text, worked out only where it can matter.

        ``bound`` is each entry's best possible final score (its score before the setting is
        applied); entries are visited best first, and once ``keep`` of them are known to score more
        than any later one could, the rest keep 1.0: no factor can lift them into the top (a later
        entry that could tie is still worked out, so a tie never shows an unreduced score).
        Each distinct rule set is evaluated at most once.
        """
        out = np.ones(len(self._group_of), dtype=np.float32)
        if not self._groups or keep <= 0:
            return out
        memo = {} if memo is None else memo
        best: list[float] = []
        for i in _best_first(bound):
            ceiling = float(bound[i])
            if ceiling <= 0 or (len(best) >= keep and best[0] > ceiling):
                break
            out[i] = self.fit(i, setting, text, memo, scope).factor
            heapq.heappush(best, ceiling * float(out[i]))
            if len(best) > keep:
                heapq.heappop(best)
        return out

    def factor(self, index: int, setting: Setting, text: str, memo: dict[tuple[int, str], Fit] | None = None,
               scope: Scope | None = None) -> float:
        """The share of its score entry ``index`` keeps in this text."""
        return self.fit(index, setting, text, memo, scope).factor

    def _group_fit(self, group: int, setting: Setting, head: str, scoped: str) -> Fit:
        required, rules, needs = self._groups[group]
        missing = tuple(sorted(required - setting.platforms))
        ruled = tuple(why for gate, why in rules if gate.search(scoped) and affirmed(gate.pattern, scoped))
        lacking = tuple(why for _, why in needs) if needs and not any(g.search(head) for g, _ in needs) else ()
        factor = ((PLATFORM_PENALTY if missing else 1.0) * (NOT_WHEN_PENALTY if ruled else 1.0)
                  * (NEEDS_PENALTY if lacking else 1.0))
        return Fit(factor, missing, ruled, lacking)


def _best_first(values: np.ndarray, first: int = 64) -> Iterator[int]:
    """Indices of ``values`` from the largest down: the first few by partition, the rest only if asked for."""
    if len(values) > first:
        head = np.argpartition(-values, first - 1)[:first]
        head = head[np.argsort(-values[head], kind="stable")]
        yield from (int(i) for i in head)
        seen = set(head.tolist())
        yield from (int(i) for i in np.argsort(-values, kind="stable") if int(i) not in seen)
    else:
        yield from (int(i) for i in np.argsort(-values, kind="stable"))
