"""Matcher figures: query latency, 1 MB paste, index build, a 10,000-entry KB, CLI cold start.

Run: python benchmarks/matcher_bench.py [--quick] [--runs N] [--sizes 10000,50000] [--cold N]
Prints one line per figure with its target, and exits 0 whatever the numbers (this is a
measurement, not a test).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bot.kb import load_knowledge
from bot.kb.loader import builtin_dir
from bot.kb.models import Entry
from bot.matching.bags import BagStore
from bot.matching.features import load_lexicon
from bot.matching.index import build_index
from bot.matching.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    item["query"]
    for path in sorted((ROOT / "tests" / "data" / "queries").glob("*.yaml"))
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))
]
LOG_LINE = "I0612 09:44:{s:02d}.556201   23114 kubelet_node_status.go:{n}] Node worker-{n} status is now: NodeReady"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def paste_of(size: int, error: str, rng: random.Random) -> str:
    lines = []
    while sum(len(x) + 1 for x in lines) < size:
        lines.append(LOG_LINE.format(s=rng.randrange(60), n=rng.randrange(1000)))
    lines.insert(len(lines) // 2, error)
    return "\n".join(lines)[:size]


def synthetic_kb(entries: list[Entry], count: int, rng: random.Random) -> list[Entry]:
    """Grow the KB to ``count`` entries by recombining real ones under new ids, words shuffled."""
    out = list(entries)
    vocabulary = sorted({w for e in entries for t in e.text.values() for s in t.symptoms for w in s.split()})
    while len(out) < count:
        base = rng.choice(entries)
        extra = " ".join(rng.sample(vocabulary, 6))
        text = {
            lang: dataclasses.replace(t, title=f"{t.title} {extra}", symptoms=(*t.symptoms, extra))
            for lang, t in base.text.items()
        }
        signatures = tuple(f"{s} {rng.choice(vocabulary)}" for s in base.signatures)
        out.append(dataclasses.replace(base, id=f"{base.id}-{len(out)}", text=text, signatures=signatures,
                                       related=()))
    return out


def large_kb_figures(entries: list[Entry], kb, lexicon, workload: list[str], size: int, rng: random.Random) -> None:
    """Build, query and rebuild a synthetic KB of ``size`` entries; peak RSS is the process's so far."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    large = synthetic_kb(entries, size, rng)
    bags = BagStore()
    start = time.perf_counter()
    large_index = build_index(large, lexicon, bags)
    large_build = time.perf_counter() - start
    large_matcher = Matcher(kb, large_index)
    large_matcher.warm_up()
    for q in workload[:20]:
        large_matcher.match(q)
    large_latencies = [timed(large_matcher.match, q) for q in workload]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic KB of {len(large)} entries: build {large_build:.1f} s, "
          f"p50 {percentile(large_latencies, 50):.1f} ms, p99 {percentile(large_latencies, 99):.1f} ms; "
          f"peak RSS {rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB for the large KB) "
          f"(targets 10,000: build <= 20 s, p99 <= 15 ms, <= 250 MB; 50,000: p99 <= 50 ms, <= 800 MB)")
    edited = list(large)
    edited[123] = dataclasses.replace(edited[123], signatures=(*edited[123].signatures, "an edited signature"))
    del large_matcher, large_index
    start = time.perf_counter()
    build_index(edited, lexicon, bags)
    incremental = time.perf_counter() - start
    print(f"index rebuild after editing one of the {len(large)} entries: {incremental:.2f} s (target <= 2 s)")


def cold_start_figures(runs: int) -> None:
    """The CLI's whole process with its cached index, beside ``python -c "import numpy"`` in the same run."""
    exe = shutil.which("k8sfix", path=str(Path(sys.executable).parent))
    if not exe:
        return
    subprocess.run([exe, "conntrack not found"], capture_output=True, check=True)
    cli, numpy = [], []
    for _ in range(runs):
        numpy.append(timed(subprocess.run, [sys.executable, "-c", "import numpy"]))
        cli.append(timed(lambda: subprocess.run([exe, "conntrack not found"], capture_output=True, check=True)))
    ratio = statistics.median(cli) / statistics.median(numpy)
    print(f"CLI cold start (k8sfix \"conntrack not found\", {runs} runs): {statistics.median(cli):.0f} ms median, "
          f"{min(cli):.0f} ms best; python -c \"import numpy\": {statistics.median(numpy):.0f} ms median; "
          f"ratio {ratio:.2f} (target <= 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repetition of the query set")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the query set (default 3)")
    parser.add_argument("--sizes", default="10000",
                        help="comma-separated synthetic KB sizes to measure; 0 for none (default 10000)")
    parser.add_argument("--cold", type=int, default=9, help="CLI cold-start runs; 0 for none (default 9)")
    args = parser.parse_args()
    rng = random.Random(7)
    reps = 1 if args.quick else args.runs
    sizes = [int(s) for s in args.sizes.split(",") if int(s) > 0]

    kb = load_knowledge()
    lexicon = load_lexicon(builtin_dir() / "lexicon.yaml")
    entries = list(kb.entries.values())
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        index = build_index(entries, lexicon)
        builds.append((time.perf_counter() - start) * 1000)
    print(f"index build ({len(entries)} entries): {min(builds):.0f} ms best, {statistics.median(builds):.0f} ms "
          f"median (target <= 1000 ms)")
    matcher = Matcher(kb, index)
    matcher.warm_up()

    small = [q for q in QUERIES if len(q) <= 4096]
    signatures = [s for e in entries for s in e.signatures]
    pastes = [paste_of(size, rng.choice(signatures), rng) for size in (512, 1024, 2048, 4096) for _ in range(10)]
    workload = small + pastes
    for q in workload[:20]:
        matcher.match(q)
    latencies = [timed(matcher.match, q) for _ in range(reps) for q in workload]
    print(f"query latency, {len(workload)} queries <= 4 KB x{reps}: p50 {percentile(latencies, 50):.2f} ms, "
          f"p99 {percentile(latencies, 99):.2f} ms (targets p50 <= 2 ms, p99 <= 10 ms)")

    big = paste_of(1_000_000, "hnsCall failed in Win32: The wrong diskette is in the drive.", rng)
    big_times = [timed(matcher.match, big) for _ in range(reps)]
    print(f"1 MB paste: {statistics.median(big_times):.0f} ms median (target <= 150 ms)")

    for size in sizes:
        large_kb_figures(entries, kb, lexicon, workload, size, rng)
    if args.cold:
        cold_start_figures(args.cold)


if __name__ == "__main__":
    main()
