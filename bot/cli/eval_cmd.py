"""``k8sfix eval``: accuracy of the matcher on a labelled query file."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``eval`` sub-command."""
    p = subparsers.add_parser("eval", help="measure top-1/top-3 accuracy and abstention on a query file")
    p.add_argument("file", help="YAML list of {query, expect, lang, kind, accept}; expect: none for negatives; "
                                "a folder means every *.yaml file in it")
    p.add_argument("--json", action="store_true", help="print {summary, results} as JSON")
    p.set_defaults(run=run)


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def _row(name: str, r: dict[str, Any]) -> str:
    return (f"{name:<10} {r['queries']:>4} {_pct(r.get('top1'))} {_pct(r.get('top3'))} "
            f"{_pct(r.get('answered_right'))} {_pct(r.get('negatives_abstained'))} {_pct(r.get('negatives_high'))} "
            f"{_pct(r.get('high_precision'))}")


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the summary table and the misses."""
    from pathlib import Path

    from bot.cli.common import matcher_for, print_json
    from bot.evaluation.runner import evaluate, load_queries, results_json, summarise

    path = Path(args.file)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        from bot.errors import InputError

        raise InputError(f"no *.yaml query files in {path}")
    queries = [q for f in files for q in load_queries(f)]
    outcomes = evaluate(matcher_for(args), queries)
    summary = summarise(outcomes)
    if args.json:
        print_json({"summary": summary, "results": results_json(outcomes)})
        return 0
    header = (f"{'':<10} {'n':>4} {'top-1':>6} {'top-3':>6} {'right':>6} {'neg.abst':>6} {'neg.high':>6} "
              f"{'hi.prec':>6}")
    print(header)
    print(_row("overall", summary["overall"]))
    for name, rates in summary["by_lang"].items():
        print(_row(name, rates))
    for name, rates in summary["by_kind"].items():
        print(_row(name, rates))
    print("\n(right = top-1 and answered without abstaining;\n"
          " neg.abst / neg.high = negatives abstained on / answered with high confidence;\n"
          " hi.prec = share of high-confidence answers that are right (what triage posts))")
    by_origin = summary["overall"].get("negatives_high_by_origin")
    if by_origin and by_origin.get("common"):
        print(f"\nnegatives answered high: {by_origin['document']} by a document topic, {by_origin['common']} by a "
              "common topic\n(a label older than the entry may call these none)")
    print("\nreliability (predicted probability of a right first answer vs observed):")
    for row in summary["reliability"]:
        if row["queries"]:
            print(f"  {row['bin']:>9}  {row['queries']:>4} queries  predicted {_pct(row['predicted'])}  "
                  f"observed {_pct(row['observed'])}")
    if summary["misses"]:
        from bot.cli.term import TABLE_WIDTH, clip

        print(f"\nmisses ({len(summary['misses'])}):")
        for m in summary["misses"]:
            query = " ".join(m["query"].split())
            print(f"  {m['lang']:<7} {clip(query, TABLE_WIDTH - 10)}")
            print(f"          expected {m['expect']}")
            print(f"          got      {(m['top'] or ['-'])[0]} ({m['confidence']})")
    return 0
