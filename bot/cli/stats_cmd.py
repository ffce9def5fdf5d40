"""``k8sfix stats``: helpful rate per topic and the most frequent unmatched questions (the KB's gaps)."""

from __future__ import annotations

import argparse
import re

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``stats``."""
    stats = subparsers.add_parser("stats", help="helpful rate per topic and the most frequent unmatched questions",
                                  description="Read the bot's store (K8SFIX_DB_URL or K8SFIX_DB_PATH).")
    stats.add_argument("--db", metavar="URL", default=None, help="SQLAlchemy URL of the store (overrides env)")
    stats.add_argument("--days", type=float, default=None, help="only questions of the last DAYS days")
    stats.add_argument("--limit", type=int, default=10, help="unmatched questions to list (default 10)")
    stats.add_argument("--include-triage", action="store_true",
                       help="also list unmatched channel messages seen by triage")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the statistics."""
    import os
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli.common import print_json
    from bot.config import db_url_from_env
    from bot.errors import ConfigError
    from bot.redact import redact
    from bot.store import open_existing_store

    try:
        store = open_existing_store(args.db or db_url_from_env(os.environ))
        try:
            since = time.time() - args.days * 86_400 if args.days else None
            stats = store.stats(limit=max(1, args.limit), since=since, include_triage=args.include_triage)
        finally:
            store.close()
    except SQLAlchemyError as exc:
        reason = redact(str(getattr(exc, "orig", None) or exc).splitlines()[0])[:200]
        raise ConfigError(f"the store cannot be read: {reason}") from None
    if args.json:
        print_json({
            "queries": stats.queries,
            "abstentions": stats.abstentions,
            "topics": [{"id": printable(t.entry_id), "answers": t.answers, "votes": t.votes, "helpful": t.helpful,
                        "helpful_rate": t.helpful_rate} for t in stats.topics],
            "unmatched": [{"text": printable(u.text), "count": u.count, "last_asked": u.last_asked}
                          for u in stats.unmatched],
            "corrections": [{"answered": c.answered_id, "chosen": c.chosen_id or None, "count": c.count}
                            for c in stats.corrections],
        })
        return 0
    print(format_stats(stats))
    return 0


def printable(text: str) -> str:
    """``text`` without control and bidirectional-override characters, each shown as a space.

    The store keeps what users pasted, escape sequences included; printed as is, an
    ``ESC ]`` or ``CSI`` sequence would retitle, recolour or rewrite the operator's
    terminal, and a right-to-left override would disguise the text.
    """
    return _UNPRINTABLE.sub(" ", text)


def format_stats(stats: object) -> str:
    """The human-readable report."""
    import time

    from bot.store import Stats

    assert isinstance(stats, Stats)
    share = f"{stats.abstentions / stats.queries:.0%}" if stats.queries else "-"
    lines = [f"Questions: {stats.queries}  (no confident match: {stats.abstentions}, {share})", ""]
    lines.append("Helpful rate per topic")
    if stats.topics:
        width = max(len(printable(t.entry_id)) for t in stats.topics)
        lines.append(f"  {'topic':<{width}}  answers  votes  helpful")
        for t in stats.topics:
            rate = f"{t.helpful_rate:.0%}" if t.helpful_rate is not None else "-"
            lines.append(f"  {printable(t.entry_id):<{width}}  {t.answers:>7}  {t.votes:>5}  {rate:>7}")
    else:
        lines.append("  (no answers yet)")
    lines += ["", "Corrections per topic (answer voted not helpful, then another topic picked)"]
    if stats.corrections:
        for c in stats.corrections:
            lines.append(f"  {c.count:>5}  {c.answered_id or '(no answer)'} -> {c.chosen_id or '(none of these)'}")
    else:
        lines.append("  (none)")
    lines += ["", "Most frequent unmatched questions (the KB's gaps)"]
    if stats.unmatched:
        lines.append("  count  last asked        text")
        for u in stats.unmatched:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(u.last_asked))
            text = " ".join(printable(u.text).split())
            lines.append(f"  {u.count:>5}  {when}  {text[:100] + ('…' if len(text) > 100 else '')}")
    else:
        lines.append("  (none)")
    return "\n".join(lines)
