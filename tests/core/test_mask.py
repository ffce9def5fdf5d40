"""One exact-output test per masking rule, plus the tokens that must survive."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.literals import needs_digit
from bot.matching.mask import mask, mask_every_rule, mask_lines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("E0502 15:55:13.889842    2241 conntrack.go:42] conntrack returned error", "<klog> conntrack returned error"),
        ("2024-03-11T10:02:17.441Z level=error", "<ts> level=error"),
        ("May  2 15:55:13 node1 kubelet[812]: x", "<ts> node1 kubelet[<num>]: x"),
        ("uid 3f2b6c1e-8f4a-4c2e-9d1b-7a6e5f4d3c2b gone", "uid <uuid> gone"),
        ("dial tcp 10.0.0.1:443: i/o timeout", "dial tcp <ip>: i/o timeout"),
        ("cidr 10.244.0.0/16 set", "cidr <ip> set"),
        ("addr fe80::1c2b:3aff:fe4d:5e6f down", "addr <ip> down"),
        ("code 0x803b0013 here", "code <hex> here"),
        ("sandbox c41e8a2f7d9b3c5e0a6f1d8b4c2e9a7f started", "sandbox <hex> started"),
        ("pod web-7d9c6b8f54-q8v2n failed", "pod web-<hash> failed"),
        ("pod kube-proxy-x7k2p failed", "pod kube-proxy-<hash> failed"),
        ("back-off 5m0s restarting", "back-off 5m0s restarting"),
        ("retry in 30s then 250ms", "retry in <dur> then <dur>"),
        ("read 42 bytes of 1024", "read <num> bytes of <num>"),
        ("Endpoints:         <none>", "Endpoints: <none>"),
        ("via 2001:db8::8a2e:370:7334 and ::1 only", "via <ip> and <ip> only"),
        ('pull image "docker.io/team/web:1.25.9": not found', 'pull image "docker.io/<image>": not found'),
        ('image "nginx:1.25" and "ghcr.io/acme/api@sha256:' + "a" * 64 + '"',
         'image "<image>" and "ghcr.io/<image>"'),
        ("k8s.io/dns/pkg/dns/dns.go:150: Failed", "k8s.io/dns/pkg/dns/dns.go:<num>: Failed"),
        ("pod my-very-long-app-name-with-parts-7d9c6b8f54-q8v2n failed",
         "pod my-very-long-app-name-with-parts-<hash> failed"),
    ],
)
def test_mask_rule(line: str, expected: str) -> None:
    assert mask(line) == expected


@pytest.mark.parametrize("token", ["Win32", "k8s", "v1beta1", "ipv4", "hcnCreateLoadBalancer", "kube-proxy", "x509"])
def test_identifiers_with_digits_survive(token: str) -> None:
    assert mask(f"error in {token} here") == f"error in {token} here"


HANG_GUARD_SECONDS = 2.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""


@pytest.mark.parametrize(
    "hostile",
    ["a-" * 20_000, "a-1" * 15_000, " ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffffffffffffffffffffffff:" * 500,
     (" ::" + "ffff" * 10 + "g") * 2_000, "1:" * 30_000, "1." * 30_000, "::" * 30_000, "-1" * 30_000],
    ids=lambda s: repr(s[:8]),
)
def test_masking_is_linear_on_hostile_lines(hostile: str) -> None:
    start = time.perf_counter()
    mask(hostile)
    assert time.perf_counter() - start < HANG_GUARD_SECONDS


def test_http_status_and_exit_codes_stay_words() -> None:
    # a 403 or an exit code 137 says what went wrong; ports, counts and other numbers do not
    assert mask("got a 403 on port 8080 after 12 tries, Exit Code: 137") == \
        "got a 403 on port <num> after <num> tries, Exit Code: 137"
    assert mask("listening on 14030 and 4033") == "listening on <num> and <num>"


def _query_lines() -> list[str]:
    folder = Path(__file__).resolve().parents[1] / "data" / "queries"
    return [line for path in sorted(folder.glob("*.yaml"))
            for item in yaml.safe_load(path.read_text(encoding="utf-8")) for line in item["query"].splitlines()]


def test_skipping_rules_that_cannot_match_changes_no_line() -> None:
    lines = _query_lines()
    lines += ["no digits here at all", "\u0663\u0664 arabic-indic digits", "ｆｕｌｌ\uff11\uff12 width", "0x",
              "a  b\tc"]
    assert len(lines) > 1000
    for line in lines:
        assert mask(line) == mask_every_rule(line), line


LINE_PARTS = st.sampled_from([
    "E0502 15:55:13.889842 2241 conntrack.go:42] ", "2024-03-11T10:02:17.441Z", "May  2 15:55:13", "10.0.0.1:443",
    "fe80::1c2b:3aff", "::1", "0x803b", "c41e8a2f7d9b3c5e0a6f", "web-7d9c6b8f54-q8v2n", "kube-proxy-x7k2p", "30s",
    "250ms", "137", "403", '"docker.io/team/web:1.25.9"', "3f2b6c1e-8f4a-4c2e-9d1b-7a6e5f4d3c2b", "  ", "\t", "-",
    "\u0663", "\uff11", "abcdef", " ",
])


@settings(max_examples=400, deadline=None)
@given(line=st.lists(st.one_of(LINE_PARTS, st.text(max_size=6)), max_size=14).map("".join))
def test_any_line_masks_as_with_every_rule(line: str) -> None:
    assert mask(line) == mask_every_rule(line)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\d+", True), (r"[0-9a-f]+", False), (r"(?=[a-z]*\d)[a-z0-9]+", True), (r"a|\d", False),
    (r"(?:1|2)x", True), (r"x\d*", False), (r"(?!\d)\w", False), (r"[^0-9]", False),
])
def test_needs_digit(pattern: str, expected: bool) -> None:
    assert needs_digit(re.compile(pattern)) is expected


PIECES = st.sampled_from(["E0502", "I1121", " ", "  ", "\n", "\n\n", " \n ", "\t", "15:55:13", ".889842", "2241",
                          "conntrack.go:42]", "May", "Dec", " 2", "12", "10.0.0.1", ":443", "web-7d9c6b8f54-q8v2n",
                          "2024-03-11T10:02:17Z", "x", "é", "\u2028", "\x85", "-", ".", "0x1f", "error", "5s"])


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(PIECES, max_size=30))
def test_masking_line_by_line_gives_the_whole_text_masked(parts: list[str]) -> None:
    text = "".join(parts)
    memo: dict[str, str] = {}
    assert mask_lines(text, memo) == mask(text)
    assert mask_lines(text, memo) == mask(text)  # and again from the filled memo


def test_a_klog_header_or_syslog_time_broken_over_lines_is_masked_whole() -> None:
    for text in ("E0502\n15:55:13.889842 2241 conntrack.go:42] conntrack", "E0502 15:55:13.889842\n2241 kubelet.go:1]",
                 "E0502 15:55:13.889842 2241\nkubelet.go:1] x", "seen May\n 2 15:55:13 node1", "May 2\n15:55:13 node1"):
        assert mask_lines(text, {}) == mask(text) != "\n".join(mask(line) for line in text.split("\n"))


def test_labelled_queries_mask_alike_line_by_line() -> None:
    memo: dict[str, str] = {}
    for path in sorted((Path(__file__).parent.parent / "data" / "queries").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert mask_lines(item["query"], memo) == mask(item["query"])
