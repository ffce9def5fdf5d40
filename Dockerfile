# k8sfix: the Slack bot (`k8sfix serve`) on a slim Python base.
#
#   docker build -t k8sfix:0.1.0 .
#   docker run --rm -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -p 8080:8080 k8sfix:0.1.0
#
# The build stage's COPY and RUN lines are replayed by tests/deploy/test_image.py
# in a fresh virtual environment, so keep each RUN one plain command.
#
# Base image pinning: both stages use python:3.11-slim, pinned by digest through PYTHON_DIGEST
# ("@sha256:<64 hex>"). No digest is recorded here yet, so a plain build follows the tag.
# Pin release builds with the digest current at release time:
#   docker buildx imagetools inspect python:3.11-slim --format '{{json .Manifest.Digest}}'
#   docker build --build-arg PYTHON_DIGEST=@sha256:<digest> -t k8sfix:0.1.0 .
ARG PYTHON_DIGEST=""

FROM python:3.11-slim${PYTHON_DIGEST} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY knowledge/ knowledge/
# The project (non-editable) with the PostgreSQL driver for K8SFIX_DB_URL=postgresql+psycopg://...
RUN /opt/venv/bin/pip install --no-cache-dir ".[postgres]"


FROM python:3.11-slim${PYTHON_DIGEST}

LABEL org.opencontainers.image.title="k8sfix" \
      org.opencontainers.image.description="Match Kubernetes errors pasted in Slack to a multilingual troubleshooting knowledge base." \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 k8sfix \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/k8sfix --no-create-home \
       --shell /usr/sbin/nologin k8sfix \
    && mkdir -p /var/lib/k8sfix \
    && chown 10001:10001 /var/lib/k8sfix

COPY --from=build /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/k8sfix \
    K8SFIX_DB_PATH=/var/lib/k8sfix/k8sfix.db \
    K8SFIX_OPS_PORT=8080

WORKDIR /var/lib/k8sfix
VOLUME ["/var/lib/k8sfix"]
USER 10001:10001
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('K8SFIX_OPS_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["k8sfix"]
CMD ["serve"]
