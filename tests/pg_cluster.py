"""A throw-away PostgreSQL cluster for tests: initdb in a temporary folder, served on a loopback port.

PostgreSQL refuses to run as root (``initdb: cannot be run as root``). When the
tests run as root, the cluster is created and run as the ``postgres`` system user
(``runuser -u postgres``), in a folder under the system temp directory that user
can enter (pytest's own tmp folders are private to root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql*/bin")
RUN_AS = "postgres"
SUPERUSER = "k8sfix"


class Unavailable(Exception):
    """PostgreSQL cannot be run here (binaries or an unprivileged user missing)."""


def find_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl: ``K8SFIX_PG_BIN`` if set, else PATH, then the usual places."""
    configured = os.environ.get("K8SFIX_PG_BIN")
    candidates = [configured] if configured else []
    on_path = shutil.which("pg_ctl")
    if on_path and not configured:
        candidates.append(str(Path(on_path).parent))
    for pattern in () if configured else BIN_GLOBS:
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise Unavailable("PostgreSQL's initdb/pg_ctl not found (install postgresql-15 or set K8SFIX_PG_BIN)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """One cluster; :meth:`start` it, make databases with :meth:`create_database`, :meth:`stop` it."""

    def __init__(self) -> None:
        """Find the binaries and the user to run them as (Unavailable when there is none)."""
        self.bin = find_bin_dir()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(RUN_AS)
            except KeyError:
                raise Unavailable("running as root and there is no 'postgres' user to run PostgreSQL as") from None
            if not shutil.which("runuser"):
                raise Unavailable("running as root and runuser is missing")
            self.run_as = RUN_AS
        self.root = Path(tempfile.mkdtemp(prefix="k8sfix-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        if self.run_as:
            owner = pwd.getpwnam(self.run_as)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        command = [*args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise Unavailable(f"{Path(args[0]).name} failed ({result.returncode}): "
                              f"{(result.stderr or result.stdout).strip()[-500:]}")
        return result

    def start(self) -> PostgresCluster:
        """initdb (trust auth on loopback, no fsync: it is thrown away) and start the server."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                  "--no-sync", "--locale", "C")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start", timeout=90)
        return self

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database of this cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
