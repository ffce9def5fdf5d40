"""The mechanisms that keep look-alikes apart: platform evidence, rule-outs, distinctive parts,
sibling answers and the calibrated probability."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.kb.models import Entry, Needs, NotWhen, Text
from bot.matching import Matcher, load_matcher
from bot.matching.calibration import SIGNALS, Signals, load_calibration
from bot.matching.context import ContextRules, Setting, for_rules, reports_a_problem, required_platforms

ROOT = Path(__file__).resolve().parents[2]


def _kb_entry(entry_id: str, signatures: list, title: str, **extra: object) -> dict:
    text = {"title": title, "symptoms": [title], "impact": "x", "causes": [{"cause": "x", "fix": ["x"]}]}
    return {"id": entry_id, "kind": "error", "signatures": signatures, "text": {"en": text}, **extra}


def _small_matcher(tmp_path: Path, *entries: dict) -> Matcher:
    for data in entries:
        (tmp_path / f"{data['id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_matcher([tmp_path], include_builtin=False)


@pytest.mark.parametrize(
    ("text", "platforms"),
    [
        ("PS C:\\k> .\\kubelet.exe --v=4", {"windows"}),
        ("hnsCall failed in Win32: The wrong diskette is in the drive", {"windows"}),
        ("the win-overlay network is missing on my windows worker", {"windows"}),
        ("az aks get-credentials works but kubectl times out", {"aks"}),
        ("iis-site-6c8f9d7b5-4tqzn   0/1   ContainerCreating   27m   <none>   win-w19-01", {"windows"}),
        ("akswin000001 went NotReady after the node image upgrade", {"windows", "aks"}),
        ("the win-api deployment on ubuntu nodes is stuck", set()),
        ("pods on centos 7 nodes cannot reach each other, iptables -L shows DROP", set()),
        ("kubelet.service failed on ubuntu; systemctl status kubelet", set()),
    ],
)
def test_setting_reads_platform_evidence(text: str, platforms: set[str]) -> None:
    assert Setting.of(text).platforms == platforms


@pytest.mark.parametrize(
    ("text", "platforms"),
    [
        ("Windowsノードからサービスの ClusterIP に繋がらない", {"windows"}),
        ("Windows节点上的pod访问不了service", {"windows"}),
        ("在AKS上用kubectl连不上API服务器", {"aks"}),
        ("Linux节点上的pod访问不了service", set()),
    ],
)
def test_latin_words_glued_to_chinese_or_japanese_are_read_as_words(text: str, platforms: set[str]) -> None:
    # a \b between "Windows" and "ノード" finds no boundary: both are word characters
    assert Setting.of(for_rules(text)).platforms == platforms
    assert for_rules("plain English text stays as it is") == "plain English text stays as it is"


def _entry(entry_id: str, tags: tuple[str, ...], not_when: tuple[NotWhen, ...] = ()) -> Entry:
    return Entry(id=entry_id, kind="error", text={"en": Text("t", ("s",), "i", ())}, tags=tags, not_when=not_when)


def test_platform_only_entries_need_their_platform_and_neutral_ones_do_not() -> None:
    assert required_platforms(_entry("win-x", ("windows", "hns"))) == {"windows"}
    assert required_platforms(_entry("aks-x", ("aks", "control-plane"))) == {"aks"}
    assert required_platforms(_entry("both", ("linux", "windows", "kubectl"))) == set()
    assert required_platforms(_entry("plain", ("dns",))) == set()


def test_rule_out_and_missing_platform_reduce_the_fit_and_say_why() -> None:
    # given a Windows-only entry and an entry that rules out image pulls
    rules = ContextRules([
        _entry("win-x", ("windows",)),
        _entry("cert", ("linux",), (NotWhen(r"(?i)pull(ing)? image", "x509 during an image pull is the registry's"),)),
    ])
    linux_pull = "Failed to pull image \"reg.local/app:1\": x509: certificate signed by unknown authority"
    # when fitted against a Linux paste
    win, cert = (rules.fit(i, Setting.of(linux_pull), linux_pull) for i in (0, 1))
    # then both keep only part of their score, with the reason
    assert win.factor < 1 and win.reasons == ["no sign of windows in the text"]
    assert cert.factor < win.factor and cert.ruled_out_by == ("x509 during an image pull is the registry's",)
    # and on a Windows paste without a pull, both fit fully
    windows = "PS C:\\k> kubectl get pods: x509: certificate signed by unknown authority"
    assert [rules.fit(i, Setting.of(windows), windows).factor for i in (0, 1)] == [1.0, 1.0]


def test_an_entry_without_any_of_its_needs_keeps_part_of_its_score_and_says_why() -> None:
    # given an entry that needs a name lookup in the text
    dns = Entry(id="dns", kind="error", text={"en": Text("t", ("s",), "i", ())},
                needs=(Needs(r"(?i)dns|nslookup", "a name lookup"),))
    rules = ContextRules([dns])
    plain, lookup = "pods time out to 10.96.0.1:443", "nslookup kubernetes.default times out"
    # then a text without one keeps part of its score, with the reason, and a text with one fits fully
    lacking = rules.fit(0, Setting.of(plain), plain)
    assert lacking.factor < 1 and lacking.reasons == ["no sign of a name lookup"]
    assert rules.fit(0, Setting.of(lookup), lookup).factor == 1.0


def test_windows_topic_loses_to_a_neutral_one_without_windows_evidence(tmp_path: Path) -> None:
    # given a Windows-only and a neutral entry with the same words
    small = _small_matcher(
        tmp_path,
        _kb_entry("win-pods-ping", ["pods cannot ping each other across nodes"], "pods cannot ping across nodes",
                  tags=["windows", "networking"]),
        _kb_entry("pods-ping", ["pods cannot ping each other across nodes"], "pods cannot ping across nodes",
                  tags=["linux", "networking"]),
    )
    # then a Linux question gets the neutral one, a Windows question the Windows one
    linux = small.match("pods cannot ping each other across nodes on our ubuntu workers")
    windows = small.match("pods cannot ping each other across nodes on our windows workers")
    assert linux.matches[0].entry.id == "pods-ping"
    assert windows.matches[0].entry.id == "win-pods-ping"
    assert linux.matches[1].why is not None and "no sign of windows in the text" in linux.matches[1].why.context


def test_not_when_keeps_a_look_alike_from_a_confident_answer(tmp_path: Path) -> None:
    # given an API-server certificate entry that rules out image pulls
    small = _small_matcher(
        tmp_path,
        _kb_entry("apiserver-cert", ["Unable to connect to the server: x509: certificate signed by unknown authority"],
                  "kubectl x509 unknown authority",
                  not_when=[{"pattern": "(?i)pull(ing)? image|ErrImagePull", "why": "a registry certificate"}]),
        _kb_entry("volume-quota", ["volume quota exceeded for team storage"], "storage quota"),
    )
    pull = 'Failed to pull image "registry.local/app:1.2": x509: certificate signed by unknown authority'
    kubectl = "Unable to connect to the server: x509: certificate signed by unknown authority"
    # then the pull is not answered confidently, the kubectl error is
    ruled, direct = small.match(pull), small.match(kubectl)
    assert direct.best is not None and direct.best.entry.id == "apiserver-cert"
    assert ruled.matches[0].score < direct.best.score / 2
    assert ruled.matches[0].confidence != "high"
    assert ruled.matches[0].why is not None and "ruled out: a registry certificate" in ruled.matches[0].why.context


def test_a_shared_generic_prefix_alone_is_not_the_signature(tmp_path: Path) -> None:
    # given a signature whose generic prefix is shared by many messages, with its distinctive part marked
    prefix = 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container network'
    small = _small_matcher(
        tmp_path,
        _kb_entry("ip-exhausted", [{"text": f"{prefix}: no IP addresses available in range set",
                                    "distinctive": "no IP addresses available in range set"}], "no pod IPs left"),
        _kb_entry("volume-quota", ["volume quota exceeded for team storage"], "storage quota"),
    )
    full = small.match(f'Warning FailedCreatePodSandBox kubelet {prefix}: no IP addresses available in range set')
    other = small.match(f'Warning FailedCreatePodSandBox kubelet {prefix}: plugin type="calico" failed: '
                        'connection is unauthorized')
    # then only the message with the distinctive part aligns fully, and the signature is named in why
    assert full.matches[0].why is not None and full.matches[0].why.signature.endswith("in range set")
    assert other.best is None or other.best.score < full.matches[0].score * 0.6


def test_close_related_entries_are_answered_as_a_pair(tmp_path: Path) -> None:
    # given two related entries that fit a question equally
    small = _small_matcher(
        tmp_path,
        _kb_entry("svc-ip", ["cannot reach the service cluster ip from a pod"], "service ip not reachable",
                  related=["svc-hairpin"]),
        _kb_entry("svc-hairpin", ["cannot reach the service cluster ip from a pod"], "service ip not reachable",
                  related=["svc-ip"]),
        _kb_entry("volume-quota", ["volume quota exceeded for team storage"], "storage quota"),
    )
    result = small.match("cannot reach the service cluster ip from a pod")
    # then the answer names both, and is not a high answer on one
    assert {m.entry.id for m in result.siblings} == {"svc-ip", "svc-hairpin"}
    assert result.matches[0].confidence != "high"


def _signals(**changes: float | bool) -> Signals:
    base: dict = {"score": 0.6, "lead": 0.2, "runner_up_ratio": 0.5, "fuzzy": 0.5, "lexical": 0.5, "breadth": 0.5,
                  "fit": 1.0, "agreement": 0.5, "foreign": False, "multi_line": False, "alert": False, "sibling": False}
    return Signals(**{**base, **changes})


@pytest.mark.parametrize(("signal", "low", "high"), [("score", 0.3, 0.9), ("lead", 0.0, 0.5), ("fit", 0.3, 1.0),
                                                     ("fuzzy", 0.0, 1.0), ("lexical", 0.2, 0.9),
                                                     ("breadth", 0.25, 1.0)])
def test_probability_never_falls_as_score_lead_and_fit_grow(signal: str, low: float, high: float) -> None:
    calibration = load_calibration()
    assert calibration.probability(_signals(**{signal: low})) <= calibration.probability(_signals(**{signal: high}))


def test_a_close_related_runner_up_never_raises_the_probability() -> None:
    calibration = load_calibration()
    assert calibration.probability(_signals(sibling=True)) <= calibration.probability(_signals(sibling=False))


def test_bands_follow_the_probability() -> None:
    calibration = load_calibration()
    assert calibration.band(calibration.high) == "high"
    assert calibration.band((calibration.high + calibration.medium) / 2) == "medium"
    assert calibration.band(calibration.medium / 2) == "low"


def test_calibration_file_is_reproducible_from_the_labelled_set() -> None:
    # the stored calibration is exactly what the fitting script gives on tests/data/queries
    done = subprocess.run([sys.executable, "-m", "bot.evaluation.calibrate", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stderr


def test_an_issue_post_is_read_as_a_question_about_its_title(tmp_path: Path) -> None:
    # given two topics, and an issue post whose title names one while its log shares a word with the other
    small = _small_matcher(
        tmp_path,
        _kb_entry("dns-broken", ["nslookup kubernetes.default fails from every pod"], "cluster DNS does not resolve"),
        _kb_entry("disk-full", ["node disk full, kubelet evicts pods"], "node disk full"),
    )
    post = ("cluster DNS does not resolve from every pod\n"
            "Our nodes run the kubelet with a separate disk for /var/lib/kubelet, the node disk is far from full and\n"
            "nothing evicts pods; the kubelet logs say the node disk is fine. Here is the kubelet log of one node:\n"
            "I1201 10:00:01.000000 1 server.go:2] node disk usage 41%, no pods to evict\n")
    # then the title's topic wins
    assert small.match(post).matches[0].entry.id == "dns-broken"


def test_setting_factors_are_worked_out_wherever_they_can_change_the_top() -> None:
    # given four Windows-only entries and two neutral ones, the Windows ones scoring best before the setting
    rules = ContextRules([_entry(f"win-{k}", ("windows",)) for k in range(4)] +
                         [_entry(f"plain-{k}", ("linux",)) for k in range(2)])
    bound = np.asarray([0.9, 0.8, 0.7, 0.1, 0.6, 0.5], dtype=np.float32)
    text = "pods cannot reach each other on our ubuntu nodes"
    lazy = rules.factors(Setting.of(text), text, bound, keep=2)
    full = np.asarray([rules.factor(i, Setting.of(text), text) for i in range(6)], dtype=np.float32)
    # then the two best after the setting are the same as with every factor known
    assert list(np.argsort(-(bound * lazy))[:2]) == list(np.argsort(-(bound * full))[:2]) == [4, 5]
    # and the entry far below the top was never looked at
    assert lazy[3] == 1.0 and full[3] < 1.0


def test_a_quoted_message_joins_the_shortlist_whatever_else_the_paste_talks_about(tmp_path: Path) -> None:
    # given a full shortlist of entries sharing a manifest's words, and one entry whose message is quoted
    crowd = [_kb_entry(f"crowd-{n}", [], f"clusterip targetport protocol selector crowd{n}") for n in range(9)]
    owner = _kb_entry("no-endpoints", ["no endpoints available for service"], "service without pods")
    half = _kb_entry("half", ["no endpoints available for volume"], "volume")
    small = _small_matcher(tmp_path, *crowd, owner, half)
    ids = [e.id for e in small.index.entries]
    full = np.asarray([ids.index(f"crowd-{n}") for n in range(8)])
    quoted = 'it reports "no endpoints available for service \\"web\\"" and clusterIP: 10.0.0.7'
    # then the quoted message's owner is added, and an entry with only some of its key words is not
    widened = [ids[i] for i in small._with_quoted(full, [quoted])]
    assert widened[:8] == [f"crowd-{n}" for n in range(8)]
    assert "no-endpoints" in widened and "half" not in widened
    # and the owner answers with that signature
    best = small.match(quoted).matches[0]
    assert best.entry.id == "no-endpoints" and best.why is not None
    assert best.why.signature == "no endpoints available for service"


def test_the_high_cut_off_needs_the_share_right_with_confidence() -> None:
    from bot.evaluation.calibrate import _cut_off

    # given 100 confident answers with 3 misses among the most confident, then 200 more right ones below
    top = [(0.99 - k / 1000, k not in (5, 20, 40)) for k in range(100)]
    below = [(0.80 - k / 1000, True) for k in range(200)]
    # then 97 of 100 is no proof of 97 %: the cut-off stays above them
    assert _cut_off(*zip(*top, strict=True), 0.97) > 0.95
    # and with 200 more right answers the band may reach down to include them all
    assert _cut_off(*zip(*(top + below), strict=True), 0.97) < 0.81


def test_easy_right_answers_never_pull_the_high_cut_off_below_its_floor() -> None:
    from bot.evaluation.calibrate import HIGH_FLOOR, Sample, fit

    # given a labelled set split cleanly by the score: every answer above 0.3 is right, so the
    # confidence bound alone would let the high band reach down to probabilities near one half
    rng = np.random.default_rng(7)
    score = SIGNALS.index("score")
    train = []
    for k in range(600):
        vector = list(rng.uniform(0, 1, len(SIGNALS)))
        train.append(Sample(vector=vector, right=vector[score] > 0.3, held_out=False, lang="en",
                            key=k.to_bytes(4, "big")))
    # then the high band still starts at the floor
    assert fit(train).high == HIGH_FLOOR


@pytest.mark.parametrize(
    ("text", "lang", "problem"),
    [
        ("o disco do nó encheu e os pods somem", "pt", True),
        ("le kube-proxy dit que conntrack est introuvable", "fr", True),
        ("die Container auf dem Windows-Node starten ständig neu", "de", True),
        ("под постоянно перезапускается после обновления", "ru", True),
        ("coredns 一直重启", "zh-Hans", True),
        ("como configuro requests padrão para o namespace?", "pt", False),
        ("comment configurer une LimitRange par défaut ?", "fr", False),
        ("как задать requests по умолчанию через LimitRange?", "ru", False),
        # English without apostrophes, and a question whether something is a problem at all
        ("the pod doesnt start and i cant see why", "en", True),
        ("kubectl top shows usage above the requests, is that a problem?", "en", False),
        ("we have a problem with the ingress since the upgrade", "en", True),
    ],
)
def test_a_problem_is_told_from_a_how_to_question_in_the_askers_language(text: str, lang: str, problem: bool) -> None:
    assert reports_a_problem(text, lang) is problem


def test_the_calibration_fit_does_not_depend_on_the_order_of_the_query_files() -> None:
    from bot.evaluation.calibrate import Sample, fit
    from bot.matching.calibration import SIGNALS

    # given labelled samples whose first signal tells right from wrong, with some noise
    rng = np.random.default_rng(7)
    samples = []
    for n in range(300):
        vector = list(rng.random(len(SIGNALS)))
        right = bool(vector[0] + 0.3 * rng.random() > 0.55)
        samples.append(Sample(vector, right, False, "en", n.to_bytes(4, "big")))
    # then the fit, its bands included, is the same whatever order the queries come in
    forward, backward = fit(samples), fit(samples[::-1])
    assert forward.high == backward.high
    assert np.allclose(forward.weights, backward.weights, atol=1e-9)
