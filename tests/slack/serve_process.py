"""Run ``k8sfix serve`` as a real process (console script) against the fake Slack, for crash and replica tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from slack_fakes import BOT_TOKEN, FakeSlack
from slack_harness import SIGNING_SECRET, signed_headers

K8SFIX = Path(sys.executable).with_name("k8sfix")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """``k8sfix serve --http PORT`` (or Socket Mode) in a child process with its output in a file."""

    def __init__(self, fake: FakeSlack, db_url: str, log: Path, *, http: bool = True,
                 extra_env: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "K8SFIX_"))
               and k.lower() not in ("https_proxy", "http_proxy", "all_proxy")}
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.api_url, "K8SFIX_DB_URL": db_url, "K8SFIX_OPS_PORT": "0",
                    "K8SFIX_HTTP_HOST": "127.0.0.1", "K8SFIX_LOG_FORMAT": "json",
                    "K8SFIX_CACHE_DIR": os.environ.get("K8SFIX_CACHE_DIR", str(log.parent)),
                    "NO_PROXY": "127.0.0.1", **(extra_env or {})})
        self.db_url = db_url
        self.port = free_port() if http else 0
        args = [str(K8SFIX), "serve", *(["--http", str(self.port)] if http else [])]
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(args, env=env, stdout=self._out, stderr=subprocess.STDOUT, cwd=log.parent)

    def wait_http(self, timeout: float = 90.0) -> None:
        """Wait until the HTTP server answers (404 on GET is its answer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"k8sfix serve exited with {self.proc.returncode}: {self.output()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"k8sfix serve did not start: {self.output()[-2000:]}")

    def post(self, body: str, content_type: str, retry: int = 0, timeout: float = 10.0) -> int:
        """POST a freshly signed body; the HTTP status, or 0 when the process did not answer."""
        headers = {k: v[0] for k, v in signed_headers(body, content_type).items()}
        if retry:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(),
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self._out.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._out.close()

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")



