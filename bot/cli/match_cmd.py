"""``k8sfix match``: the default command, match pasted text to the KB."""

from __future__ import annotations

import argparse
import sys
from typing import Any

LANG_CHOICES = ("en", "pt", "ru", "zh", "zh-Hans", "zh-Hant", "es", "ja", "de", "fr", "ko")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``match`` sub-command."""
    p = subparsers.add_parser(
        "match", help="match an error, log or description (default command)",
        description="Match an error, a log or a description to the knowledge base. "
                    "TEXT may be '-' to read standard input.",
    )
    p.add_argument("text", nargs="*", help="the text to match, or - for standard input")
    p.add_argument("-f", "--file", help="read the text from FILE")
    p.add_argument("--top", type=int, default=3, metavar="N", help="how many ranked matches (default 3)")
    p.add_argument("--lang", choices=LANG_CHOICES, help="answer in this language instead of the detected one")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--check", action="store_true", help="run the matched topic's read-only cluster checks")
    p.add_argument("--context", help="kubeconfig context for --check")
    p.set_defaults(run=run, parser=p)


def _input_text(args: argparse.Namespace) -> str:
    from bot.cli.common import read_text_file

    if args.file:
        return read_text_file(args.file)
    if args.text == ["-"]:
        return read_text_file("-")
    return " ".join(args.text)


def run(args: argparse.Namespace) -> int:
    """Match and print; exit 2 with usage on empty input."""
    from bot.cli.common import matcher_for, print_json
    from bot.render.text import render_result

    if args.top < 1:
        args.parser.error("--top must be at least 1")
    text = _input_text(args)
    if not text.strip():
        args.parser.print_usage(sys.stderr)
        print("k8sfix match: error: nothing to match: give TEXT, -f FILE, or pipe text into 'k8sfix match -'",
              file=sys.stderr)
        return 2
    matcher = matcher_for(args)
    result = matcher.match(text, top=args.top, lang=None)
    display_lang = args.lang or result.query_lang
    report = _run_checks(result, text, args) if args.check else None
    if args.json:
        payload = result_json(result, display_lang)
        if report is not None:
            from bot.checks.render import report_json

            payload["checks"] = report_json(report)
        print_json(payload)
        return 0
    print(render_result(result, display_lang))
    if report is not None:
        from bot.checks.render import render_report

        print()
        print(render_report(report))
    return 0


def _run_checks(result: Any, text: str, args: argparse.Namespace) -> Any:
    from bot.checks import run_checks_for_match
    from bot.cli.check_cmd import settings_for_cli

    return run_checks_for_match(result, text, settings_for_cli(), context=args.context)


def result_json(result: Any, display_lang: str) -> dict[str, Any]:
    """The stable JSON shape of a match result."""
    from bot.matching.types import answer_language

    lang = answer_language(display_lang)

    def one(m: Any) -> dict[str, Any]:
        return {
            "id": m.entry.id,
            "title": m.entry.text_in(lang).title,
            "score": m.score,
            "confidence": m.confidence,
            "probability": m.probability,
            "origin": m.entry.origin,
            "evidence": list(m.evidence),
            "why": {"signature": m.why.signature, "words": list(m.why.words), "context": list(m.why.context)}
            if m.why else None,
        }

    return {
        "detected_language": result.query_lang,
        "answer_language": lang,
        "abstained": result.abstained,
        "matches": [one(m) for m in result.matches],
        "findings": [one(m) for m in result.findings],
        "siblings": [m.entry.id for m in result.siblings],
    }
