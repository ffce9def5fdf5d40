"""``k8sfix demo``: match an embedded sample paste, so a new user sees an answer at once."""

from __future__ import annotations

import argparse
import sys

SAMPLE_PASTE = """\
kube-proxy on worker-3 keeps logging this and service names stopped resolving:
```
I0502 15:55:12.101220    2241 server_others.go:186] Using iptables Proxier.
I0502 15:55:12.101391    2241 server.go:555] Version: v1.27.6
I0502 15:55:12.113875    2241 conntrack.go:100] Set sysctl 'net/netfilter/nf_conntrack_max' to 131072
E0502 15:55:13.889842    2241 conntrack.go:42] conntrack returned error: error looking for path of conntrack: \
exec: "conntrack": executable file not found in $PATH
I0502 15:55:14.002117    2241 proxier.go:1441] Setting endpoints for kube-system/kube-dns:dns to [10.244.1.7:53]
```
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command."""
    p = subparsers.add_parser("demo", help="match an embedded sample kube-proxy log and print the answer")
    p.add_argument("--lang", default=None, help="answer language: en, pt, ru, zh, zh-Hant")
    p.add_argument("--full", action="store_true", help="print every section of the answer")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the sample, then the answer."""
    from bot.cli.common import matcher_for
    from bot.cli.match_cmd import language_note, print_answer
    from bot.render.text import render_result

    matcher = matcher_for(args)
    result = matcher.match(SAMPLE_PASTE)
    lang = args.lang or result.query_lang
    note = language_note(args.lang, result.query_lang)
    if note:
        print(note, file=sys.stderr)
    print("Sample paste:\n" + SAMPLE_PASTE)
    print("k8sfix answer:\n")
    print_answer(render_result(result, lang, full=args.full), result, lang)
    return 0
