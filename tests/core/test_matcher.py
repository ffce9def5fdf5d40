from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.matching import Matcher, load_matcher
from bot.matching.background import BACKGROUND_IDF_CAP

QUERIES = [
    item
    for path in sorted((Path(__file__).parent.parent / "data" / "queries").glob("*.yaml"))
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))
]
POSITIVES = [item for item in QUERIES if item["expect"] != "none"]
NEGATIVES = [item for item in QUERIES if item["expect"] == "none"]

KUBELET_NOISE = [
    "I0612 09:44:{s:02d}.556201   23114 kubelet_node_status.go:{n}] Node {node} status is now: NodeHasSufficientMemory",
    "I0612 09:44:{s:02d}.601422   23114 reconciler.go:{n}] operationExecutor.VerifyControllerAttachedVolume started",
    "I0612 09:44:{s:02d}.711010   23114 kuberuntime_manager.go:{n}] Created PodSandbox for pod web-{n}-abcde",
]


def noise(lines: int, node: str = "worker-7") -> list[str]:
    return [KUBELET_NOISE[i % 3].format(s=i % 60, n=100 + i, node=node) for i in range(lines)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("conntrack not found", "kube-proxy-conntrack-missing"),
        ("hnsCall failed in Win32", "win-hns-wrong-diskette"),
        ("Failed to allocate address", "pod-ip-allocation-failed"),
        ("hcnCreateLoadBalancer failed in Win32: The specified port already exists", "win-lb-port-exhaustion"),
        ("unable to fetch metrics from API: the server could not find the requested resource (get pods.metrics.k8s.io)",
         "hpa-metrics-unavailable"),
    ],
)
def test_short_signature_queries_land_with_high_confidence(matcher: Matcher, query: str, expected: str) -> None:
    result = matcher.match(query)
    assert result.best is not None
    assert result.best.entry.id == expected
    assert result.best.confidence == "high"


def test_error_buried_in_a_long_log_is_found_with_its_line_as_evidence(matcher: Matcher) -> None:
    # given 300 lines of routine kubelet output with one kube-proxy error in the middle
    error = ('E0502 15:55:13.889842    2241 conntrack.go:42] conntrack returned error: error looking for path of '
             'conntrack: exec: "conntrack": executable file not found in $PATH')
    lines = [*noise(150), error, *noise(150)]
    # when matched
    result = matcher.match("\n".join(lines))
    # then the answer is the conntrack entry and the evidence is that very line
    assert result.best is not None and result.best.entry.id == "kube-proxy-conntrack-missing"
    assert result.best.evidence[0] == error


def test_paste_with_two_different_errors_reports_both(matcher: Matcher) -> None:
    hns = ('E0311 10:02:17.441902 3316 hns.go:87] hnsCall failed in Win32: The wrong diskette is in the drive. '
           '(0x22)')
    metrics = ('Warning  FailedGetResourceMetric  2m (x12 over 8m)  horizontal-pod-autoscaler  failed to get cpu '
               'utilization: unable to get metrics for resource cpu: unable to fetch metrics from API: the server '
               'could not find the requested resource (get pods.metrics.k8s.io)')
    result = matcher.match("\n".join([*noise(20), hns, *noise(20), metrics, *noise(5)]))
    found = {m.entry.id: m.evidence[0] for m in result.findings}
    assert found == {"win-hns-wrong-diskette": hns, "hpa-metrics-unavailable": metrics}


def test_names_and_addresses_do_not_matter(matcher: Matcher) -> None:
    a = matcher.match("kubectl on AKS: Unable to connect to the server: dial tcp 20.62.131.7:443: i/o timeout")
    b = matcher.match("kubectl on AKS: Unable to connect to the server: dial tcp 52.1.9.200:443: i/o timeout")
    assert a.best is not None and b.best is not None
    assert a.best.entry.id == b.best.entry.id == "aks-apiserver-dial-timeout"
    assert a.best.score == b.best.score


def test_slack_markup_around_the_error_is_ignored(matcher: Matcher) -> None:
    plain = matcher.match("hnsCall failed in Win32: The wrong diskette is in the drive.")
    marked = matcher.match("*help* <@U123> ```hnsCall failed in Win32: The wrong diskette is in the drive.```")
    assert plain.best is not None and marked.best is not None
    assert marked.best.entry.id == plain.best.entry.id


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [("节点一直是 NotReady 状态，kubelet 日志里有 PLEG is not healthy",
      "節點一直是 NotReady 狀態，kubelet 日誌裡有 PLEG is not healthy")],
)
def test_simplified_and_traditional_chinese_reach_the_same_entry(matcher: Matcher, simplified: str,
                                                                 traditional: str) -> None:
    s, t = matcher.match(simplified), matcher.match(traditional)
    assert s.query_lang == "zh-Hans" and t.query_lang == "zh-Hant"
    assert s.matches[0].entry.id == t.matches[0].entry.id == "node-notready"


@pytest.mark.parametrize(
    "text",
    ["hello", "thanks, that fixed it!", "the jenkins build is slow today", "🔥🔥🔥", "what time is the standup?",
     "ok thanks, looking into it", "can someone take a look at this?", "on it"],
)
def test_unrelated_text_abstains_but_still_offers_nothing_confident(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.abstained
    assert result.best is None
    assert all(m.confidence != "high" for m in result.matches)


def test_empty_and_whitespace_input_abstain_without_matches(matcher: Matcher) -> None:
    for text in ("", "   \n\t  ", "```\n```"):
        result = matcher.match(text)
        assert result.abstained and result.matches == ()


def test_one_megabyte_paste_is_answered(matcher: Matcher) -> None:
    error = "Failed to allocate address: Failed to delegate: Failed to allocate address: No available addresses"
    body = noise(6000)
    body.insert(3000, error)
    text = "\n".join(body)
    assert len(text) > 500_000
    result = matcher.match(text)
    assert result.best is not None and result.best.entry.id == "pod-ip-allocation-failed"



def test_an_error_far_down_a_long_paste_is_answered_as_confidently_as_alone(matcher: Matcher) -> None:
    # given the one error line of a paste after 20,000 characters of routine lines
    error = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
    text = "I1121 12:00:00.000 routine controller line about pod web-1 in namespace prod\n" * 13_500 + error
    assert text.index(error) > 20_000
    # then the line still counts as a reported problem: the answer is as confident as for the line alone
    assert matcher.match(error).matches[0].confidence == "high"
    assert matcher.match(text).matches[0].confidence == "high"

def test_top_limits_the_number_of_matches(matcher: Matcher) -> None:
    assert len(matcher.match("pods cannot resolve dns names", top=5).matches) == 5
    assert len(matcher.match("pods cannot resolve dns names", top=1).matches) == 1


def test_every_entry_is_reachable_by_one_of_our_queries(matcher: Matcher) -> None:
    # given our own test queries (written for this project, three per topic)
    first_hits: dict[str, int] = defaultdict(int)
    for item in QUERIES:
        result = matcher.match(item["query"])
        if result.matches and result.matches[0].entry.id == item["expect"]:
            first_hits[item["expect"]] += 1
    # then every entry is the first answer to at least one of them
    unreachable = sorted(set(matcher.kb.entries) - set(first_hits))
    assert unreachable == []


def test_own_query_set_stays_accurate(matcher: Matcher) -> None:
    top3 = sum(item["expect"] in [m.entry.id for m in matcher.match(item["query"]).matches[:3]] for item in POSITIVES)
    assert top3 / len(POSITIVES) >= 0.9


def test_own_negatives_are_rarely_answered_with_high_confidence(matcher: Matcher) -> None:
    # a high answer is posted in a channel on its own: at most 5 % of off-topic questions may get one
    confident = [item["query"][:60] for item in NEGATIVES
                 if (m := matcher.match(item["query"]).matches) and m[0].confidence == "high"]
    assert len(NEGATIVES) >= 40
    assert len(confident) / len(NEGATIVES) <= 0.05, confident


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ("[FIRING:1] KubeNodeNotReady (worker-3 kube-state-metrics monitoring)\nsummary: Node is not ready.",
         "node-notready"),
        ("[FIRING:2] CoreDNSDown (monitoring critical)\nCoreDNS has disappeared from Prometheus target discovery.",
         "kube-dns-unhealthy"),
        ("[FIRING:1] KubeProxyDown critical\nTarget disappeared from Prometheus target discovery.",
         "kube-proxy-not-working"),
    ],
)
def test_alertmanager_post_matches_its_alert_entry_confidently(matcher: Matcher, post: str, expected: str) -> None:
    result = matcher.match(post)
    assert result.best is not None
    assert (result.best.entry.id, result.best.confidence) == (expected, "high")


def test_alert_name_inside_ordinary_prose_is_still_recognised(matcher: Matcher) -> None:
    result = matcher.match("we got paged for KubeAggregatedAPIDown again tonight")
    assert result.best is not None and result.best.entry.id == "hpa-metrics-unavailable"


def test_confidence_does_not_depend_on_how_many_matches_are_asked_for(matcher: Matcher) -> None:
    text = "pods cannot resolve service names, nslookup times out"
    one, three = matcher.match(text, top=1), matcher.match(text, top=3)
    assert one.matches[0].entry.id == three.matches[0].entry.id
    assert one.matches[0].confidence == three.matches[0].confidence


def test_table_headers_are_never_evidence(matcher: Matcher) -> None:
    # given kubectl output whose column headers share words with many entries
    paste = (
        "NAME    TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)    AGE\n"
        "redis   ClusterIP   10.96.184.21   <none>        6379/TCP   9d\n"
        "NAME         STATUS   ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE\n"
        "win-w19-01   Ready    <none>          14m   v1.27.6   10.20.0.31    <none>        Windows Server 2019"
    )
    # when matched
    result = matcher.match(paste, top=5)
    # then no header line is offered as the line that carries the problem
    evidence = [line for m in result.matches for line in m.evidence]
    assert evidence
    assert not [line for line in evidence if line.startswith("NAME ")]



def test_the_filler_words_of_chinese_and_japanese_posts_are_not_telling(matcher: Matcher) -> None:
    # given a Japanese post whose second sentence is filler ("all of them were on the same node"),
    # and "全部" ("all") happens to occur in one entry's Chinese text
    post = "kubectl get pods で Evicted の Pod が 30 個も残っていた。全部同じノードにいたみたい"
    # then the filler weighs like an English background word and the evictions decide
    assert matcher.index.idf["#全部"] <= BACKGROUND_IDF_CAP
    assert matcher.match(post, top=1).matches[0].entry.id == "pod-evicted"


def test_an_asker_who_says_nothing_is_broken_gets_no_high_answer(matcher: Matcher) -> None:
    # given a question quoting an entry's error, asked out of curiosity
    question = ("Why does kube-proxy log Failed to list conntrack entries: executable file not found in $PATH "
                "on our nodes?")
    # then the same entry is named, but only the plain report is answered with high confidence
    assert matcher.match(question).matches[0].confidence == "high"
    calm = matcher.match(question + " Nothing is broken, just curious.").matches[0]
    assert calm.entry.id == "kube-proxy-conntrack-missing" and calm.confidence == "medium"
    # and "everything works except ..." still reports a problem
    assert matcher.match(question + " Everything works except the conntrack cleanup.").matches[0].confidence == "high"

def _entry(entry_id: str, signature: str, title: str) -> dict:
    text = {"title": title, "symptoms": [title], "impact": "x", "causes": [{"cause": "x", "fix": ["x"]}]}
    return {"id": entry_id, "kind": "error", "signatures": [signature], "text": {"en": text}}


def test_a_look_alike_line_without_the_signature_words_is_not_asserted(tmp_path: Path) -> None:
    # given a KB whose signature names the missing binary, and two lines shaped like it
    for data in (_entry("binary-missing", 'exec: "conntrack": executable file not found in $PATH', "conntrack missing"),
                 _entry("other-topic", "volume quota exceeded for team storage", "storage quota")):
        (tmp_path / f"{data['id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    small = load_matcher([tmp_path], include_builtin=False)
    same = small.match('E0101 x.go:1] exec: "conntrack": executable file not found in $PATH')
    other = small.match('E0101 x.go:1] exec: "sh": executable file not found in $PATH')
    # then only the line that names the same binary is answered with confidence; the other scores far lower
    assert same.best is not None and same.best.entry.id == "binary-missing" and same.best.confidence == "high"
    assert other.best is None or (other.best.confidence != "high" and other.best.score < 0.6 * same.best.score)
