"""``k8sfix match``: the default command, match pasted text to the KB."""

from __future__ import annotations

import argparse
import sys
from typing import Any

LANG_CHOICES = ("en", "pt", "ru", "zh", "zh-Hans", "zh-Hant", "es", "ja", "de", "fr", "ko")
ANSWER_LANGUAGES = ("en", "pt", "ru", "zh", "zh-Hant")
"""Languages the KB's answers are written in (``zh-Hant`` converted from ``zh``)."""
LANGUAGE_NAMES = {"es": "Spanish", "de": "German", "ja": "Japanese", "fr": "French", "ko": "Korean",
                  "und": "an unknown language"}
STDIN_HINT = ("k8sfix: reading the text to match from the terminal: paste it, then press Ctrl-D on a line of "
              "its own (Ctrl-C cancels)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``match`` sub-command."""
    p = subparsers.add_parser(
        "match", help="match an error, log or description (default command)",
        description="Match an error, a log or a description to the knowledge base. "
                    "TEXT may be '-' to read standard input; with no TEXT, piped input is read.",
    )
    p.add_argument("text", nargs="*", help="the text to match, or - for standard input")
    p.add_argument("-f", "--file", help="read the text from FILE")
    p.add_argument("--top", type=int, default=3, metavar="N", help="how many ranked matches (default 3)")
    p.add_argument("--lang", choices=LANG_CHOICES, help="answer in this language instead of the detected one")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--check", action="store_true", help="run the matched topic's read-only cluster checks")
    p.add_argument("--context", help="kubeconfig context for --check")
    p.add_argument("--full", action="store_true",
                   help="print every section of the answer (default: a compact answer that fits a screen)")
    p.set_defaults(run=run, parser=p)


def _input_text(args: argparse.Namespace) -> str:
    from bot.cli.common import read_text_file, stdin_is_terminal

    if args.file:
        return read_text_file(args.file)
    if args.text == ["-"] or (not args.text and not stdin_is_terminal()):
        if stdin_is_terminal():
            print(STDIN_HINT, file=sys.stderr)
        return read_text_file("-")
    return " ".join(args.text)


def language_note(requested: str | None, detected: str) -> str | None:
    """A visible note when the answer falls back to English, naming the languages answers exist in."""
    lang = requested or detected
    if lang in ANSWER_LANGUAGES or lang in ("zh-Hans",) or (requested is None and lang == "und"):
        return None
    name = LANGUAGE_NAMES.get(lang, lang)
    asked = f"--lang {lang}" if requested else f"the question is in {name}"
    return (f"k8sfix: {asked}: no answers are written in {name}; answers exist in "
            f"{', '.join(ANSWER_LANGUAGES)}; answering in English")


def run(args: argparse.Namespace) -> int:
    """Match and print; exit 2 with usage on empty input."""
    from bot.cli.common import matcher_for, print_json
    from bot.render.text import render_result

    if args.top < 1:
        args.parser.error("--top must be at least 1")
    text = _input_text(args)
    if not text.strip():
        args.parser.print_usage(sys.stderr)
        print("k8sfix match: error: nothing to match: give TEXT, -f FILE, or pipe text into k8sfix",
              file=sys.stderr)
        return 2
    from bot.matching.clean import looks_binary

    binary = looks_binary(text)
    if binary:
        print("k8sfix: the input is mostly binary data (control or undecodable bytes); only its readable "
              "lines were matched", file=sys.stderr)
    matcher = matcher_for(args)
    # Two matches at least, so the confidence reason can name the runner-up; only --top are shown.
    # Random bytes decode to stray letters of many scripts: they tell no language, so answer in English.
    result = matcher.match(text, top=max(args.top, 2), lang="en" if binary else None)
    display_lang = args.lang or result.query_lang
    report = _run_checks(result, text, args) if args.check else None
    if args.json:
        payload = result_json(result, display_lang, top=args.top)
        if report is not None:
            from bot.checks.render import report_json

            payload["checks"] = report_json(report)
        print_json(payload)
        return 0
    note = language_note(args.lang, result.query_lang)
    if note:
        print(note, file=sys.stderr)
    print_answer(render_result(result, display_lang, full=args.full, top=args.top), result, display_lang)
    if report is not None:
        from bot.checks.render import render_report

        print()
        print(render_report(report))
    return 0


def _run_checks(result: Any, text: str, args: argparse.Namespace) -> Any:
    from bot.checks import run_checks_for_match
    from bot.cli.check_cmd import settings_for_cli

    return run_checks_for_match(result, text, settings_for_cli(), context=args.context)


def print_answer(text: str, result: Any, display_lang: str) -> None:
    """Print a rendered answer: wrapped and coloured on a terminal, plain otherwise."""
    from bot.cli.term import Terminal, style_answer
    from bot.matching.types import answer_language
    from bot.render.strings import ui

    best = result.best
    label = ui(answer_language(display_lang))["confidence"]
    print(style_answer(text, Terminal.of(sys.stdout), best.confidence if best else None, label))


def result_json(result: Any, display_lang: str, top: int | None = None) -> dict[str, Any]:
    """The stable JSON shape of a match result (the first ``top`` matches)."""
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
            "causes": [c.cause for c in m.causes_in(lang)],
            "why": {"signature": m.why.signature, "words": list(m.why.words), "context": list(m.why.context)}
            if m.why else None,
        }

    return {
        "detected_language": result.query_lang,
        "answer_language": lang,
        "abstained": result.abstained,
        "matches": [one(m) for m in result.matches[: top or len(result.matches)]],
        "findings": [one(m) for m in result.findings],
        "siblings": [m.entry.id for m in result.siblings],
    }
