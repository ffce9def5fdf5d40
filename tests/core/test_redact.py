from __future__ import annotations

import pytest

from bot.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ",
         "Authorization: Bearer [REDACTED]"),
        ("curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x", "curl -H 'Authorization: Basic [REDACTED]' https://x"),
        ("token: abc123def456", "token: [REDACTED]"),
        ("DB_PASSWORD=hunter2 next", "DB_PASSWORD=[REDACTED] next"),
        ('password: "s3cr et"', "password: [REDACTED]"),
        ("client-key-data: LS0tLS1CRUdJTi", "client-key-data: [REDACTED]"),
        ("slack xoxb-1234567890-abcdefghij leaked", "slack [REDACTED] leaked"),
        ("key AKIAABCDEFGHIJKLMNOP used", "key [REDACTED] used"),
        ("postgres://app:pa55word@db:5432/x", "postgres://app:[REDACTED]@db:5432/x"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "[REDACTED] (PEM block)"),
    ],
)
def test_secrets_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["dial tcp 10.0.0.1:443: i/o timeout", "conntrack returned error: error looking for path of conntrack",
     "kubectl get secrets is not allowed"],
)
def test_ordinary_log_lines_are_untouched(text: str) -> None:
    assert redact(text) == text
