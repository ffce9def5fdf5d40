"""Robustness figures: hostile inputs that used to backtrack, random mixed pastes, big pastes, hostile KB files.

Run: ``.venv/bin/python benchmarks/robustness_bench.py [--cases N] [--quick]``. Prints, per part:

1. the inputs that made a regex super-linear (the cleaning of Slack markup, redaction,
   masking, a runbook heading), each timed at two sizes: a linear stage costs about
   ten times more for ten times the input;
2. random pastes mixing Slack markup, ANSI, binary, invalid UTF-8, deep JSON, long runs
   and megabyte lines (the mix of ``tests/core/test_robustness.py``, seeded): cases
   tried, failures, median / p99 / worst latency of ``Matcher.match``, peak RSS;
3. a 1 MB paste through cleaning and redaction, 10 MB on the CLI's stdin, and the store
   recording a 200 KB paste;
4. hostile KB files (alias bomb, deep nesting, FIFO) refused by the loader.
Every timing is the median of several runs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.kb.loader import load_folder
from bot.kb.runbook import parse_runbook
from bot.matching.clean import clean_text
from bot.matching.mask import mask
from bot.matching.matcher import load_matcher
from bot.redact import redact
from bot.slack.paste import slack_to_plain
from bot.store import NewQuery, open_store

CONNTRACK = ('E1121 12:00:00.000 1 proxier.go:123] conntrack returned error: error looking for path of conntrack: '
             'exec: "conntrack": executable file not found in $PATH')
RUNBOOK_BODY = "\n\n## Meaning\n\nIt `broke`.\n\n## Mitigation\n\n- Fix it.\n"
FRAGMENTS = [
    "<@U024BE7LH>", "<#C024BE7LR|oncall>", "<!here>", "<https://x.io/a|x>", "<@", "<#", "<", "&lt;", "&amp;", "```",
    "*bold*", "_it_", "~s~", "> ", "\x1b[31m", "\x1b[0m", "\x1b]0;t\x07", "\u200b", "\u202e", "\x00", "\ufffd",
    "\r\n", "\\n", '\\"', '{"msg":"conntrack returned error"}', "[[[[", "E0502 15:55:13.889842 2241 conntrack.go:42] ",
    "hnsCall failed in Win32", "10.0.0.1:443", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "token: ",
    "password=", "Bearer ", "eyJ", "xoxb-", "-----BEGIN PRIVATE KEY-----", "postgres://u:p@h", "--token ", "-u a:",
    "kube-proxy 找不到 conntrack", "под не запускается", CONNTRACK,
]
RUNS = [":", ".", "1", "a:", "a.", "1.", "1:", "f:", "::", "-", "a-", "<@", "<http://", "*", "_", " ", "#", "`", "{",
        "[", "\\", "=", "@", "/", "a"]


def median_ms(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of ``fn`` over ``repeat`` runs by ``clock`` (wall by default), in milliseconds."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def random_paste(rng: random.Random) -> str:
    """One paste of the robustness mix."""
    parts = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(rng.choice(FRAGMENTS))
        elif kind < 0.6:
            parts.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000))).decode("utf-8", "replace"))
        elif kind < 0.85:
            piece = rng.choice(RUNS)
            parts.append(piece * (rng.randint(1_000, 60_000) // len(piece)))
        elif kind < 0.95:
            depth = rng.randint(500, 5_000)
            parts.append('{"msg": "x", "a": ' + "[" * depth + "]" * depth + "}")
        else:
            piece = rng.choice(RUNS)
            parts.append(piece * (1_000_000 // len(piece)))
    return "".join(parts)


def part_hostile(repeat: int) -> None:
    print("1. inputs that used to backtrack (median ms at 1x and 10x the size; linear means about 10x)")
    matcher = load_matcher()
    cases: list[tuple[str, Callable[[int], object]]] = [
        ("clean_text, `<@` x n (32 KB took 18.9 s before)", lambda n: clean_text("<@" * n)),
        ("clean_text, `<http://` x n", lambda n: clean_text("<http://" * n)),
        ("slack_to_plain, `<http://` x n", lambda n: slack_to_plain("<http://" * n)),
        ("redact, `a.` x n (40 KB took 8.7 s before)", lambda n: redact("a." * n)),
        ("redact, `-eyJ` x n", lambda n: redact("-eyJ" * n)),
        ("mask, `a-` x n", lambda n: mask("a-" * n)),
        ("mask, IPv6-like tokens x n/50", lambda n: mask(" ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffffffff:" * (n // 50))),
        ("parse_runbook, heading with n/4 spaces (4,000 took 232 s before)",
         lambda n: parse_runbook("# a" + " " * (n // 4) + "b" + RUNBOOK_BODY, "x.md", "x")),
        ("Matcher.match, `a:` x n", lambda n: matcher.match("a:" * n)),
    ]
    for label, fn in cases:
        small = median_ms(lambda fn=fn: fn(16_000), repeat)
        large = median_ms(lambda fn=fn: fn(160_000), repeat)
        print(f"   {label:<70} {small:8.1f} ms  {large:8.1f} ms  x{large / max(small, 1e-3):.1f}")


def part_random(cases: int, seed: int) -> None:
    print(f"2. random mixed pastes (seed {seed})")
    matcher = load_matcher()
    matcher.match("warm up")
    rng = random.Random(seed)
    latencies, failures, sizes = [], [], []
    for i in range(cases):
        paste = random_paste(rng)
        sizes.append(len(paste))
        start = time.perf_counter()
        try:
            result = matcher.match(paste)
            if result.abstained != (result.best is None):
                failures.append((i, "abstained flag and best disagree"))
        except Exception as exc:  # counting failures is the point
            failures.append((i, f"{type(exc).__name__}: {exc}"[:200]))
        latencies.append((time.perf_counter() - start) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"   cases tried {cases}, failures {len(failures)}, paste size median {statistics.median(sizes):,.0f} chars "
          f"(max {max(sizes):,})")
    print(f"   latency median {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
          f"worst {max(latencies):.1f} ms; peak RSS {peak:.0f} MB")
    for i, why in failures[:10]:
        print(f"   failure in case {i}: {why}")


def part_big(repeat: int) -> None:
    print("3. big pastes")
    line = ('E0502 15:55:13.889842 2241 proxier.go:1530] "Failed to execute iptables-restore" err="exit status 1" '
            'pod="kube-system/kube-proxy-x7k2p" token=abc\n')
    big = line * (1_000_000 // len(line))
    cpu = time.process_time
    print(f"   1 MB log: redact {median_ms(lambda: redact(big), repeat):.0f} ms "
          f"({median_ms(lambda: redact(big), repeat, cpu):.0f} ms CPU), clean_text (redaction included) "
          f"{median_ms(lambda: clean_text(big), repeat):.0f} ms ({median_ms(lambda: clean_text(big), repeat, cpu):.0f}"
          " ms CPU)")
    exe = shutil.which("k8sfix", path=str(Path(sys.executable).parent))
    if exe:
        chatter = b"I1121 12:00:00.000 1 controller.go:1] synced pod web-1 in namespace default\n"
        stdin = chatter * (10_000_000 // len(chatter)) + CONNTRACK.encode() + b"\n"
        ms = median_ms(lambda: subprocess.run([exe, "match", "-"], input=stdin, capture_output=True, check=True),
                       repeat)
        print(f"   10 MB on stdin, `k8sfix match -` as a whole process: {ms:.0f} ms (cut with a notice)")
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/k8sfix.db")
        paste = line * (200_000 // len(line))
        ms = median_ms(lambda: store.record_query(NewQuery(entry_point="command", text=paste, lang="en")), repeat, cpu)
        store.close()
    print(f"   store.record_query of a 200 KB paste (cut, then redacted): {ms:.1f} ms CPU")


def part_kb(repeat: int) -> None:
    print("4. hostile KB files (time to refuse, median)")
    bomb = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x, x]"]
                     + [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcdef", "bcdefg", strict=True)])
    files = {"bomb.yaml": bomb, "deep.yaml": "id: " + "[" * 900 + "]" * 900,
             "deep-front.md": "---\ntags: " + "[" * 900 + "]" * 900 + "\n---\n# T" + RUNBOOK_BODY}
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in files.items():
            folder = Path(tmp) / name.replace(".", "-")
            folder.mkdir()
            (folder / name).write_text(content, encoding="utf-8")
            ms = median_ms(lambda folder=folder: load_folder(folder), repeat)
            [problem] = load_folder(folder)[1]
            print(f"   {name:<14} {ms:7.1f} ms  {problem.field}: {problem.message}")
        if hasattr(os, "mkfifo"):
            folder = Path(tmp) / "fifo"
            folder.mkdir()
            os.mkfifo(folder / "pipe.yaml")
            ms = median_ms(lambda: load_folder(folder), repeat)
            print(f"   {'pipe.yaml':<14} {ms:7.1f} ms  {load_folder(folder)[1][0].message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=300, help="random pastes to try (default 300)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and cases")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    part_hostile(repeat)
    part_random(min(args.cases, 60) if args.quick else args.cases, args.seed)
    part_big(repeat)
    part_kb(repeat)


if __name__ == "__main__":
    main()
