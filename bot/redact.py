"""Mask secrets in untrusted text before it is stored, logged, echoed or shown.

Rules are data: an ordered list of (pattern, replacement, trigger), most specific
first, applied in turn; a rule whose trigger (a lower-case literal) is absent from
the text is skipped. Secrets named by a key (``password: ...``, ``"auth": "..."``,
``PGPASSWORD=...``) are then found by :func:`_redact_named`. Pasted logs and
cluster evidence both pass through here. A shell reference (``$TOKEN``,
``$(cat token)``) names a secret without holding one and is kept.

Every pattern runs on untrusted text, so each is linear in its input: each starts
with a literal (the engine's fast search) and checks what precedes it with a
fixed-width look-behind, variable parts are bounded or cannot fail once started,
and no quantified group can split the same characters two ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MASK = "[REDACTED]"

_QUOTED = r"\"(?:[^\"\\\n]|\\.){0,4000}\"|'[^'\n]{0,4000}'"
"""A quoted value, escapes allowed; the two alternatives inside start with different characters."""

Replacement = str | Callable[[re.Match[str]], str]

REDACTION_RULES: tuple[tuple[re.Pattern[str], Replacement, str], ...] = (
    # PEM blocks: private keys and certificates, whole (an unterminated block runs to the end).
    (re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}(?:PRIVATE KEY|CERTIFICATE)-----.*?(?:-----END [A-Z0-9 ]{0,40}-----|\Z)",
                re.DOTALL), f"{MASK} (PEM block)", "-----begin "),
    # A PEM block in base64, as Secret data and kubeconfig *-data fields hold it ("-----BEGIN" encoded).
    (re.compile(r"LS0tLS1CRUdJTi(?<![A-Za-z0-9+/]LS0tLS1CRUdJTi)[A-Za-z0-9+/]*={0,2}"), MASK, "ls0tls1crudjti"),
    # HTTP auth headers.
    (re.compile(r"(?i)\b(authorization[ \t]{0,5}[:=][ \t]{0,5}\"?(?:bearer|basic|token)[ \t]{1,5})(?!\$)"
                r"[^\s\"',;]+"), rf"\1{MASK}", "authorization"),
    (re.compile(r"(?i)\b(bearer[ \t]{1,5})[A-Za-z0-9\-._~+/]{8,}=*"), rf"\1{MASK}", "bearer"),
    # Slack, GitHub, AWS, GCP and JWT-shaped tokens.
    (re.compile(r"xox[abeposr]-(?<![A-Za-z0-9-]xox[abeposr]-)[A-Za-z0-9-]{10,}"), MASK, "xox"),
    (re.compile(r"xapp-(?<![A-Za-z0-9-]xapp-)[A-Za-z0-9-]{10,}"), MASK, "xapp-"),
    (re.compile(r"gh[pousr]_(?<![A-Za-z0-9_]gh[pousr]_)[A-Za-z0-9]{20,}"), MASK, "_"),
    (re.compile(r"A[KS]IA(?<![A-Za-z0-9_]A[KS]IA)[A-Z0-9]{16}\b"), MASK, "ia"),
    (re.compile(r"AIza(?<![A-Za-z0-9_-]AIza)[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])"), MASK, "aiza"),
    (re.compile(r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK, "eyj"),
    # Command-line flags: kubectl --token X, --password=X; curl -u user:password.
    (re.compile(r"--(?<![\w-]--)((?i:[\w-]{0,30}-)?(?i:token|password|passwd|secret|client-key|api-key)"
                r"(?:=|[ \t]{1,5}))(?!\$)(?:" + _QUOTED + r"|[^\s\"'-][^\s]*)"), rf"--\1{MASK}", "--"),
    (re.compile(r"-(?<![\w-]-)((?:u|-user|-proxy-user)(?:=|[ \t]{1,5})[\"']?[^\s:\"']{1,200}:)[^\s\"']+"),
     rf"-\1{MASK}", "-"),
    # Credentials inside URLs: scheme://user:password@host
    (re.compile(r"(://[^\s:/@]{1,200}:)[^\s@/]{1,400}@"), rf"\1{MASK}@", "://"),
)

_NAME_END = re.compile(
    r"(?:password|passwd|pwd|secret|token|key|auth|data|dockerconfigjson|dockercfg)[\"']?[ \t]{0,5}[:=][ \t]{0,40}")
"""Where a named secret's value may start, found in the lower-cased text (fast literal search)."""
_SECRET_NAME = re.compile(
    r"client-key-data|client-certificate-data|certificate-authority-data|\.dockerconfigjson|\.dockercfg|"
    r"[\w-]{0,40}\.key|auth|"
    r"[\w.-]{0,80}(?:password|passwd|pwd|secret|token|api[_-]?key|(?:secret|private|access|client)[_-]?key)")
"""Names whose value is a secret: kubeconfig and Secret data fields, docker ``auth``, and any name
ending in password/secret/token/key (``PGPASSWORD``, ``aws_secret_access_key``, ``tls.key``)."""
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
_MAX_NAME = 80
_VALUE = re.compile(r"(" + _QUOTED + r")|[^\s,;]+")


def redact(text: str) -> str:
    """Return ``text`` with every secret the rules know replaced by ``[REDACTED]``."""
    lower = text.lower()
    for pattern, replacement, trigger in REDACTION_RULES:
        if trigger in lower:
            text = pattern.sub(replacement, text)
            lower = text.lower()
    return _redact_named(text, lower)


def _redact_named(text: str, lower: str) -> str:
    """Mask the value after each secret's name (``token: X``, ``"password": "X"``, ``PGPASSWORD=X``).

    Candidates come from one forward scan of the lower-cased text; each name is read
    backwards at most ``_MAX_NAME`` characters, and the scan resumes after the value,
    so every character is read a bounded number of times.
    """
    if len(lower) != len(text):  # a few characters change length when lower-cased
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    out: list[str] = []
    done = 0
    pos = 0
    while (m := _NAME_END.search(lower, pos)) is not None:
        pos = m.end()
        name_end = m.start() + len(m.group(0).rstrip(" \t:=\"'"))
        start = m.start()
        while start > max(done, m.start() - _MAX_NAME) and lower[start - 1] in _NAME_CHARS:
            start -= 1
        if not _SECRET_NAME.fullmatch(lower, start, name_end) or text.startswith(("$", "\"$", "'$"), m.end()):
            continue
        value = _VALUE.match(text, m.end())
        if value is None:
            continue
        quoted = value.group(1)
        out.append(text[done:m.end()])
        out.append(quoted[0] + MASK + quoted[0] if quoted else MASK)
        done = pos = value.end()
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def redact_data(value: Any) -> Any:
    """``value`` (JSON-like data) with every string in it redacted; keys and structure kept.

    Redacting the values before serialising keeps the result valid JSON, where a rule
    applied to the serialised text could cut a quoted value in two.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v) for v in value]
    return value
