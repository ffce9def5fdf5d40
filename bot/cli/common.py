"""Helpers shared by sub-commands: reading input, loading the matcher, printing JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import InputError

if TYPE_CHECKING:
    from bot.matching.matcher import Matcher

MAX_INPUT_BYTES = 16 * 1024 * 1024


def kb_dirs(args: argparse.Namespace) -> list[Path]:
    """Extra KB folders: ``K8SFIX_KB_PATH`` first, then each ``--kb`` in order (later wins)."""
    from bot.kb.loader import extra_dirs_from_env

    return [*extra_dirs_from_env(), *(Path(p) for p in getattr(args, "kb", []) or [])]


def matcher_for(args: argparse.Namespace) -> Matcher:
    """Load the KB named by the arguments and build the matcher."""
    from bot.matching.matcher import load_matcher

    return load_matcher(kb_dirs(args), use_cache=True)


MAX_MATCH_CHARS = 2_000_000
"""Characters of a file or of standard input that are matched; longer input is cut to its head and tail."""


def read_text_file(path: str) -> str:
    """Read a file (or ``-`` for stdin) as text; undecodable bytes become U+FFFD, never an error.

    Input beyond :data:`MAX_INPUT_BYTES` is not read, and text beyond :data:`MAX_MATCH_CHARS`
    is cut to its first quarter and last three quarters (where a log's error usually is);
    either way a notice on stderr says so.
    """
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    unread = len(data) > MAX_INPUT_BYTES
    from bot.matching.clean import decode_text, limit_paste

    text = decode_text(data[:MAX_INPUT_BYTES])

    cut, was_cut = limit_paste(text, MAX_MATCH_CHARS)
    if unread or was_cut:
        size = f"more than {MAX_INPUT_BYTES // 2**20} MB" if unread else f"{len(text):,} characters"
        print(f"k8sfix: the input is {size}; matching its first and last parts ({len(cut):,} characters)",
              file=sys.stderr)
    return cut


def stdin_is_terminal() -> bool:
    """True when standard input is a terminal or closed, i.e. nothing is piped in."""
    try:
        return sys.stdin is None or sys.stdin.isatty()
    except (ValueError, OSError):
        return True


def print_json(data: Any) -> None:
    """Print one JSON document, non-ASCII kept readable."""
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
