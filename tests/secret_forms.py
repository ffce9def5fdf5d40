"""Common secret forms: how each is pasted, what redaction must make of it, and the secret part itself.

Shared by the redaction rules' exact-output tests and the tests that follow a paste to the store,
the logs and the answer.
"""

from __future__ import annotations

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

SECRET_FORMS: list[tuple[str, str, str]] = [
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


SECRET_PARTS: dict[str, str] = {
    "PEM private key": "MIIE",
    "PEM cut short": "MIIEvQIBADAN",
    "base64 PEM in Secret data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
    "Authorization bearer header": "c2lnbmF0dXJlLXBhcnQ",
    "Authorization basic header": "dXNlcjpwYXNz",
    "bare bearer token": "abcdefgh12345678",
    "Slack bot token": "xoxb-1234567890-abcdefghij",
    "Slack user token": "xoxp-1234-5678-abcdefghij",
    "Slack app token": "xapp-1-A012-1234567890-abcdef",
    "GitHub token": "ghp_abcdefghijklmnopqrstuvwxyz0123",
    "AWS access key id": "AKIAABCDEFGHIJKLMNOP",
    "GCP API key": "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "JWT": "c2lnbmF0dXJlLXBhcnQ",
    "kubectl --token X": "abcdef.0123456789abcdef",
    "kubectl --token=X": "abcdef0123",
    "--password X": "p a s",
    "curl -u user:pass": "s3cr3t",
    "kubeconfig token": "abc123def456",
    "kubeconfig client-key-data": "LS0tLS1CRUdJTi",
    "JSON client-key-data": "LS0tLS1CRUdJTiBSU0Eg",
    "JSON password": "ter2",
    "password=": "hunter2",
    "quoted YAML password": "s3cr et",
    "PGPASSWORD=": "s3cret",
    "AWS secret key, ini": AWS_SECRET,
    "AWS secret key, env": AWS_SECRET,
    "docker config auth": "dXNlcjpwYXNzd29yZA==",
    "dockerconfigjson": "eyJhdXRocyI6e30K",
    "Secret tls.key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "URL credentials": "pa55word",
}
"""For each form, the text that must never appear once redacted."""
