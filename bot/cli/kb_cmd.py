"""``k8sfix kb``: list, show and validate knowledge-base entries."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kb list``, ``kb show`` and ``kb validate``."""
    kb = subparsers.add_parser("kb", help="list, show or validate knowledge-base entries")
    sub = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)

    ls = sub.add_parser("list", help="list every entry with its titles, tags and checks")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(run=run_list)

    show = sub.add_parser("show", help="print one entry in full")
    show.add_argument("id", help="entry id, e.g. kube-proxy-conntrack-missing")
    show.add_argument("--lang", default="en", help="language: en, pt, ru, zh, zh-Hant (default en)")
    show.set_defaults(run=run_show)

    validate = sub.add_parser("validate", help="check KB files; exit 1 on any problem")
    validate.add_argument("dirs", nargs="*", help="team KB folders to validate over the built-in one")
    validate.set_defaults(run=run_validate)


def run_list(args: argparse.Namespace) -> int:
    """Print every entry."""
    from bot.cli.common import kb_dirs, print_json
    from bot.kb.loader import load_knowledge

    kb = load_knowledge(kb_dirs(args))
    rows: list[dict[str, Any]] = [
        {
            "id": e.id,
            "kind": e.kind,
            "origin": e.origin,
            "titles": {lang: t.title for lang, t in e.text.items()},
            "tags": list(e.tags),
            "checks": list(e.checks),
        }
        for e in sorted(kb.entries.values(), key=lambda e: e.id)
    ]
    if args.json:
        print_json(rows)
        return 0
    from bot.cli.term import TABLE_WIDTH, Terminal, clip

    columns = Terminal.of(sys.stdout).width or TABLE_WIDTH
    width = max((len(r["id"]) for r in rows), default=10)
    for r in rows:
        title = r["titles"].get("en") or next(iter(r["titles"].values()))
        print(f"{r['id']:<{width}}  {clip(title, max(10, columns - width - 2))}")
    print(f"\n{len(rows)} entries", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one entry; exit 1 with the closest ids when it does not exist."""
    import difflib

    from bot.cli.common import kb_dirs
    from bot.kb.loader import load_knowledge
    from bot.render.text import render_entry

    kb = load_knowledge(kb_dirs(args))
    entry = kb.get(args.id)
    if entry is None:
        close = difflib.get_close_matches(args.id, list(kb.entries), n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        print(f"k8sfix kb show: error: no entry {args.id!r}{hint}", file=sys.stderr)
        return 1
    from bot.cli.match_cmd import language_note
    from bot.cli.term import Terminal, style_answer

    note = language_note(args.lang, "en")
    if note:
        print(note, file=sys.stderr)
    print(style_answer(render_entry(entry, args.lang), Terminal.of(sys.stdout), "high"))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Load and cross-check the KB (with check ids), print every problem."""
    from bot.cli.common import kb_dirs
    from bot.errors import KnowledgeBaseError
    from bot.kb.loader import load_knowledge

    try:
        from bot.checks.catalog import CHECK_IDS
        known_checks: frozenset[str] | None = CHECK_IDS
    except ImportError:  # checks not installed in this build
        known_checks = None
    dirs = [*kb_dirs(args), *(Path(d) for d in args.dirs)]
    try:
        kb = load_knowledge(dirs, known_checks=known_checks)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\n{len(exc.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(kb)} entries in {', '.join(str(f) for f in kb.folders)}")
    return 0
