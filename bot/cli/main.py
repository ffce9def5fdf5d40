"""Entry point of the ``k8sfix`` console command.

Sub-command modules import only the standard library at module level and load
their heavy dependencies inside ``run``, so ``k8sfix "text"`` starts fast and
never imports the Slack or Kubernetes clients.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.errors import K8sfixError

COMMAND_MODULES: tuple[str, ...] = (
    "bot.cli.match_cmd",
    "bot.cli.kb_cmd",
    "bot.cli.eval_cmd",
    "bot.cli.demo_cmd",
    "bot.cli.check_cmd",
    "bot.cli.scan_cmd",
    "bot.cli.serve_cmd",
    "bot.cli.stats_cmd",
)
"""Each module defines ``register(subparsers)``; the first one is the default command."""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="k8sfix",
        description="Match a Kubernetes error or symptom to a fix from the knowledge base.",
        epilog='Examples: k8sfix "conntrack not found" | kubectl logs POD | k8sfix match - | k8sfix kb list',
    )
    parser.add_argument("--version", action="version", version=f"k8sfix {__version__}")
    parser.add_argument("--kb", action="append", default=[], metavar="DIR",
                        help="extra KB folder layered over the built-in one (repeatable; also K8SFIX_KB_PATH)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _with_default_command(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let ``k8sfix "text"`` mean ``k8sfix match "text"``."""
    commands: set[str] = set()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        commands.update(getattr(action, "choices", {}) or {})
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--kb":
            i += 2
            continue
        if arg.startswith("--kb="):
            i += 1
            continue
        if arg in ("-h", "--help", "--version") or arg in commands:
            return argv
        return [*argv[:i], "match", *argv[i:]]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    parser = build_parser()
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv), parser)
    args = parser.parse_args(args_list)
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
