"""Entry point of the ``k8sfix`` console command.

Sub-command modules import only the standard library at module level and load
their heavy dependencies inside ``run``, so ``k8sfix "text"`` starts fast and
never imports the Slack or Kubernetes clients.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli.common import stdin_is_terminal
from bot.errors import K8sfixError

COMMANDS: dict[str, str] = {
    "match": "bot.cli.match_cmd",
    "kb": "bot.cli.kb_cmd",
    "eval": "bot.cli.eval_cmd",
    "demo": "bot.cli.demo_cmd",
    "check": "bot.cli.check_cmd",
    "scan": "bot.cli.scan_cmd",
    "serve": "bot.cli.serve_cmd",
    "stats": "bot.cli.stats_cmd",
    "completion": "bot.cli.completion_cmd",
}
"""Each sub-command and the module whose ``register(subparsers)`` adds it; ``match`` is the default."""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every sub-command registered, or just ``only``.

    Registering one sub-command imports one module instead of nine: most of a plain
    ``k8sfix "text"`` run's start-up that is not the match itself.
    """
    parser = argparse.ArgumentParser(
        prog="k8sfix",
        description="Match a Kubernetes error or symptom to a fix from the knowledge base.",
        epilog='Examples: k8sfix "conntrack not found" | kubectl logs POD | k8sfix match - | k8sfix kb list',
    )
    parser.add_argument("--version", action="version", version=f"k8sfix {__version__}")
    parser.add_argument("--kb", action="append", default=[], metavar="DIR",
                        help="extra KB folder layered over the built-in one (repeatable; also K8SFIX_KB_PATH)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module).register(subparsers)
    return parser


def _first_word(argv: list[str]) -> int:
    """Where the first argument that is not a top-level ``--kb`` option stands (``len(argv)`` if none)."""
    i = 0
    while i < len(argv) and (argv[i] == "--kb" or argv[i].startswith("--kb=")):
        i += 2 if argv[i] == "--kb" else 1
    return min(i, len(argv))


def _command_of(argv: list[str]) -> str | None:
    """The sub-command ``argv`` names, or None (help, version, no command) for the full parser."""
    i = _first_word(argv)
    return argv[i] if i < len(argv) and argv[i] in COMMANDS else None


def _fits_command(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    """Whether ``argv`` (starting with a sub-command word) parses as that sub-command, silently."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            _, extra = parser.parse_known_args(argv)
    except SystemExit:
        return False
    return not extra


def _with_default_command(argv: list[str], stdin_is_terminal: bool = True) -> list[str]:
    """Let ``k8sfix "text"`` mean ``k8sfix match "text"``.

    Also ``kubectl logs POD | k8sfix`` (no argument, stdin not a terminal) means ``match``, and a
    question that merely starts with a sub-command word (``k8sfix check why dns fails``) is matched
    as text when the words do not parse as that sub-command and hold no option.
    """
    i = _first_word(argv)
    if i == len(argv):
        return argv if stdin_is_terminal else [*argv, "match"]
    arg = argv[i]
    if arg in ("-h", "--help", "--version"):
        return argv
    if arg in COMMANDS:
        rest = argv[i + 1:]
        is_prose = len(rest) >= 2 and not any(a.startswith("-") for a in rest)
        if is_prose and not _fits_command(build_parser(only=arg), argv):
            return [*argv[:i], "match", *argv[i:]]
        return argv
    return [*argv[:i], "match", *argv[i:]]


def _quote_hint(argv: list[str]) -> str | None:
    """How to match text that starts with a sub-command word, when that word was taken as the command."""
    words = [a for a in argv if not a.startswith("-")]
    if words and words[0] in COMMANDS and words[0] != "match" and len(words) > 1:
        return f'k8sfix: to match text that starts with "{words[0]}", quote it: k8sfix match "{" ".join(words)}"'
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv),
                                      stdin_is_terminal=stdin_is_terminal())
    parser = build_parser(only=_command_of(args_list))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        hint = _quote_hint(args_list) if exc.code == EXIT_USAGE else None
        if hint:
            print(hint, file=sys.stderr)
        raise
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except K8sfixError as exc:
        print(f"k8sfix: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK

