"""The store file is private, and ``k8sfix stats`` never replays users' terminal escapes to the operator."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.store import NewQuery, open_store

HOSTILE = "helm stuck \x1b]0;owned\x07 \x1b[2J\x1b[31mred\x9b1m \u202edesrever\u202c done\x7f"


def test_stats_strips_control_and_bidi_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given: a question whose text carries a title change, a screen clear, colours, a C1 CSI and a bidi override
    url = f"sqlite:///{tmp_path / 'k8sfix.db'}"
    store = open_store(url)
    store.record_query(NewQuery(entry_point="command", text=HOSTILE, lang="en", abstained=True))
    store.close()
    # when
    assert main(["stats", "--db", url]) == 0
    table = capsys.readouterr().out
    assert main(["stats", "--db", url, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["unmatched"][0]["text"]
    # then: the words remain, no control character reaches the terminal
    for out in (table, shown):
        assert not any(c in out for c in "\x1b\x07\x9b\x7f\u202e\u202c")
    assert "helm stuck ]0;owned [2J [31mred 1m desrever done" in table


def test_the_sqlite_store_and_its_wal_files_are_private(tmp_path: Path) -> None:
    # given an ordinary umask, under which SQLite would create the file 0644
    old = os.umask(0o022)
    try:
        store = open_store(f"sqlite:///{tmp_path / 'k8sfix.db'}")
        store.record_query(NewQuery(entry_point="command", text="conntrack", lang="en"))
        # then: the database and its WAL companions can be read by their owner only
        files = sorted(tmp_path.glob("k8sfix.db*"))
        assert [f.name for f in files] == ["k8sfix.db", "k8sfix.db-shm", "k8sfix.db-wal", "k8sfix.db.migrate-lock"]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
        store.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    open_store(f"sqlite:///{db}").close()
    db.chmod(0o644)
    store = open_store(f"sqlite:///{db}")
    store.ping()
    store.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("secret_at", "secret", "hidden"),
    [(3_990, "token: abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghij"),
     (3_900, "-----BEGIN PRIVATE KEY-----\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n" * 100 + "-----END PRIVATE KEY-----",
      "MIIEvQIBADAN")],
    ids=["token across the cut", "key block across the cut"],
)
def test_a_secret_across_the_stored_cut_is_still_masked(tmp_path: Path, secret_at: int, secret: str,
                                                         hidden: str) -> None:
    # given: a long paste, cut before it is redacted, with a secret that straddles the cut
    paste = "x" * (secret_at - 1) + "\n" + secret + "\n" + "y" * 200_000
    store = open_store(f"sqlite:///{tmp_path / 'k8sfix.db'}")
    # when
    stored = store.get_query(store.record_query(NewQuery(entry_point="command", text=paste, lang="en")))
    store.close()
    # then
    assert stored is not None and len(stored.text) <= 4_000
    assert hidden not in stored.text and "[RE" in stored.text  # the mask itself may be cut
