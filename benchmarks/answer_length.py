"""Lines of a terminal answer, compact (the default) and ``--full``, for every KB entry.

Run: .venv/bin/python benchmarks/answer_length.py [COLUMNS]   (default 80)

Each entry is rendered as the best match of a query, wrapped to COLUMNS as a
terminal shows it; the script prints the median and the largest line counts.
"""

from __future__ import annotations

import statistics
import sys

from bot.cli.term import Terminal
from bot.kb import load_knowledge
from bot.matching.types import Match, MatchResult
from bot.render.text import render_result


def main() -> None:
    columns = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    term = Terminal(width=columns, colour=False)
    kb = load_knowledge()
    counts: dict[bool, list[int]] = {False: [], True: []}
    for entry in kb.entries.values():
        result = MatchResult(query_lang="en", matches=(Match(entry=entry, score=0.9, confidence="high"),),
                             abstained=False)
        for full in (False, True):
            counts[full].append(len(term.wrap(render_result(result, full=full)).splitlines()))
    for full, name in ((False, "compact"), (True, "--full")):
        values = counts[full]
        print(f"{name:<8} {len(values)} entries at {columns} columns: median {statistics.median(values):.0f} lines, "
              f"max {max(values)}")


if __name__ == "__main__":
    main()
