"""Mask secrets in untrusted text before it is stored, logged, echoed or shown.

Rules are data: an ordered list of (pattern, replacement), most specific first,
applied in turn. Pasted logs and cluster evidence both pass through here.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

REDACTION_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM blocks: private keys and certificates, whole.
    (re.compile(r"-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY|CERTIFICATE)-----.*?(?:-----END [A-Z0-9 ]*-----|\Z)",
                re.DOTALL), f"{MASK} (PEM block)"),
    # HTTP auth headers.
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*\"?(?:bearer|basic|token)\s+)[^\s\"',;]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*"), rf"\1{MASK}"),
    # Slack, GitHub, AWS, GCP and JWT-shaped tokens.
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\bxapp-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), MASK),
    (re.compile(r"\bAIza[0-9A-Za-z\-_]{35}\b"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),
    # kubeconfig / YAML / env style secrets: token: ..., password=..., client-key-data: ...
    (re.compile(r"(?i)(?<![a-z0-9])((?:client-key-data|client-certificate-data|certificate-authority-data|token|"
                r"access[_-]?token|refresh[_-]?token|api[_-]?key|secret|secret[_-]?key|password|passwd|pwd)"
                r"\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;]+)"), rf"\1{MASK}"),
    # Credentials inside URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@"), rf"\1{MASK}@"),
)


def redact(text: str) -> str:
    """Return ``text`` with every secret the rules know replaced by ``[REDACTED]``."""
    for pattern, replacement in REDACTION_RULES:
        text = pattern.sub(replacement, text)
    return text
