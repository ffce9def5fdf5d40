"""One exact-output test per redaction rule and per common secret form, and linear time on hostile text."""

from __future__ import annotations

import time

import pytest

from bot.redact import REDACTION_RULES, redact, redact_data

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

SECRET_FORMS = [
    # (secret form, pasted text, expected redacted text); the secret part must disappear.
    ("PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
     "[REDACTED] (PEM block)"),
    ("PEM cut short", "key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN", "key [REDACTED] (PEM block)"),
    ("base64 PEM in Secret data", "  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "  ca.crt: [REDACTED]"),
    ("Authorization bearer header", f"Authorization: Bearer {JWT}", "Authorization: Bearer [REDACTED]"),
    ("Authorization basic header", "curl -H 'Authorization: Basic dXNlcjpwYXNz' https://x",
     "curl -H 'Authorization: Basic [REDACTED]' https://x"),
    ("bare bearer token", "sent bearer abcdefgh12345678 to api", "sent bearer [REDACTED] to api"),
    ("Slack bot token", "slack xoxb-1234567890-abcdefghij leaked", "slack [REDACTED] leaked"),
    ("Slack user token", "SLACK_USER xoxp-1234-5678-abcdefghij", "SLACK_USER [REDACTED]"),
    ("Slack app token", "app xapp-1-A012-1234567890-abcdef", "app [REDACTED]"),
    ("GitHub token", "gh ghp_abcdefghijklmnopqrstuvwxyz0123 ok", "gh [REDACTED] ok"),
    ("AWS access key id", "key AKIAABCDEFGHIJKLMNOP used", "key [REDACTED] used"),
    ("GCP API key", "key=AIzaSyA1234567890abcdefghijklmnopqrstuv", "key=[REDACTED]"),
    ("JWT", f"id token {JWT} expired", "id token [REDACTED] expired"),
    ("kubectl --token X", "kubectl --token abcdef.0123456789abcdef get pods", "kubectl --token [REDACTED] get pods"),
    ("kubectl --token=X", "kubectl --token=abcdef0123 get pods", "kubectl --token=[REDACTED] get pods"),
    ("--password X", "helm repo add r https://x --password 'p a s' --username u",
     "helm repo add r https://x --password [REDACTED] --username u"),
    ("curl -u user:pass", "curl -u admin:s3cr3t https://api:6443", "curl -u admin:[REDACTED] https://api:6443"),
    ("kubeconfig token", "    token: abc123def456", "    token: [REDACTED]"),
    ("kubeconfig client-key-data", "    client-key-data: LS0tLS1CRUdJTi", "    client-key-data: [REDACTED]"),
    ("JSON client-key-data", '{"client-key-data": "LS0tLS1CRUdJTiBSU0Eg"}', '{"client-key-data": "[REDACTED]"}'),
    ("JSON password", '{"user": "bob", "password": "hun\\"ter2"}', '{"user": "bob", "password": "[REDACTED]"}'),
    ("password=", "DB_PASSWORD=hunter2 next", "DB_PASSWORD=[REDACTED] next"),
    ("quoted YAML password", "password: 's3cr et'", "password: '[REDACTED]'"),
    ("PGPASSWORD=", "PGPASSWORD=s3cret psql -h db", "PGPASSWORD=[REDACTED] psql -h db"),
    ("AWS secret key, ini", f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key = [REDACTED]"),
    ("AWS secret key, env", f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", "export AWS_SECRET_ACCESS_KEY=[REDACTED]"),
    ("docker config auth", '{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNzd29yZA=="}}}',
     '{"auths":{"registry.example.com":{"auth":"[REDACTED]"}}}'),
    ("dockerconfigjson", "  .dockerconfigjson: eyJhdXRocyI6e30K", "  .dockerconfigjson: [REDACTED]"),
    ("Secret tls.key", "  tls.key: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "  tls.key: [REDACTED]"),
    ("URL credentials", "postgres://app:pa55word@db:5432/x", "postgres://app:[REDACTED]@db:5432/x"),
]


@pytest.mark.parametrize(("form", "text", "expected"), SECRET_FORMS, ids=[f[0] for f in SECRET_FORMS])
def test_secret_form_is_masked(form: str, text: str, expected: str) -> None:
    assert redact(text) == expected


def test_every_rule_has_an_exact_output_case() -> None:
    # given the secret forms above, when each is redacted, then every rule fired for at least one of them
    fired = {i for i, (pattern, _, _) in enumerate(REDACTION_RULES)
             for _, text, _ in SECRET_FORMS if pattern.search(text)}
    assert fired == set(range(len(REDACTION_RULES)))


@pytest.mark.parametrize(
    "text",
    ["dial tcp 10.0.0.1:443: i/o timeout", "conntrack returned error: error looking for path of conntrack",
     "kubectl get secrets is not allowed", "Unauthorized: invalid bearer token", "secretName: web-tls",
     "error: You must be logged in to the server (Unauthorized)", "sort -u list.txt", "x509: certificate has expired",
     "KUBE_TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)",
     'curl -H "Authorization: Bearer $KUBE_TOKEN" https://10.0.0.1:6443/version'],
)
def test_ordinary_log_lines_are_untouched(text: str) -> None:
    assert redact(text) == text


def test_structured_data_is_redacted_value_by_value() -> None:
    data = {"evidence": ['password: "x y"', "ok"], "score": 0.5, "nested": {"t": "token=abc"}}
    assert redact_data(data) == {"evidence": ['password: "[REDACTED]"', "ok"], "score": 0.5,
                                 "nested": {"t": "token=[REDACTED]"}}


HANG_GUARD_SECONDS = 2.0
"""Far above the real cost (benchmarks/robustness_bench.py); catches only super-linear backtracking."""


@pytest.mark.parametrize(
    "hostile",
    ["a." * 40_000, "a:" * 40_000, "x://a:" * 10_000, "-eyJ" * 20_000, "token: \"" * 10_000, "-u a:" * 10_000,
     "--token " * 10_000, "a" * 80_000 + "@", "password" * 10_000, "-----BEGIN " + "A " * 20_000],
    ids=lambda s: repr(s[:8]),
)
def test_redaction_is_linear_on_hostile_text(hostile: str) -> None:
    start = time.perf_counter()
    redact(hostile)
    assert time.perf_counter() - start < HANG_GUARD_SECONDS
