"""SQLite online backup: a verified copy while the database is in use."""

import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from portal import backup
from tests.databases import database_url, make_settings, migrated_settings


def test_backup_copies_a_live_database_and_checks_it(tmp_path):
    with database_url("sqlite", tmp_path) as url:
        settings = migrated_settings(tmp_path, url)
        live = sqlite3.connect(settings.sqlalchemy_url.removeprefix("sqlite:///"))
        live.execute(
            "INSERT INTO audit_entry (at, actor_label, action, object_type, object_id, detail)"
            " VALUES ('2026-11-22 00:00:00', 'cli', 'test', 'x', '1', '')"
        )
        live.commit()
        target = backup.default_target(settings, datetime(2026, 11, 22, 3, 4, 5))
        assert target.name == "wifidesa-20261122-030405.sqlite3"
        assert backup.backup_sqlite(settings, target) == target
        live.close()
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT action FROM audit_entry").fetchall() == [("test",)]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    copy.close()
    with pytest.raises(backup.BackupFailed, match="already exists"):
        backup.backup_sqlite(settings, target)


def test_backup_refuses_postgresql_with_guidance(tmp_path):
    settings = make_settings(tmp_path, "postgresql://postgres@127.0.0.1:5432/test")
    with pytest.raises(backup.BackupFailed, match="pg_dump"):
        backup.backup_sqlite(settings, tmp_path / "x.sqlite3")


def test_backup_of_a_missing_database_says_what_to_do(tmp_path):
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'none.sqlite3'}")
    with pytest.raises(backup.BackupFailed, match="init-db"):
        backup.backup_sqlite(settings, tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


def test_backup_command_writes_a_checked_copy(cli, app, tmp_path):
    target = tmp_path / "copy.sqlite3"
    result = cli("backup", "--to", str(target))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert result.exit_code == 0, result.output
        assert f"Backup written and checked: {target}" in result.output
        tables = sqlite3.connect(target).execute("SELECT name FROM sqlite_master").fetchall()
        assert ("village",) in tables
    else:
        assert result.exit_code == 1
        assert "pg_dump" in result.output
        assert not target.exists()


def _add_key(live: sqlite3.Connection, purpose: str, window: str) -> None:
    live.execute(
        "INSERT INTO pseudonym_key (purpose, window, key, created_at, destroy_after)"
        " VALUES (?, ?, ?, '2026-11-22 00:00:00', '2026-11-25 00:00:00')",
        (purpose, window, bytes(range(32))),
    )


WRITER = """
import sqlite3, sys
writer = sqlite3.connect(sys.argv[1])
while True:  # commits as fast as it can, as the RADIUS server does under load
    writer.execute(
        "INSERT INTO audit_entry (at, actor_label, action, object_type, object_id, detail)"
        " VALUES ('2026-11-22 00:00:00', 'radius', 'w', 'x', '1', '')"
    )
    writer.commit()
"""


def test_backup_finishes_while_the_radius_server_commits_and_leaves_out_quota_keys(tmp_path):
    """A copy in steps starts over at every commit of another connection: under a
    writer committing all the time it never finished (seen with 60 MB)."""
    with database_url("sqlite", tmp_path) as url:
        settings = migrated_settings(tmp_path, url)
    path = Path(settings.sqlalchemy_url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.sqlite3"
    live = sqlite3.connect(path)
    live.execute("PRAGMA journal_mode=WAL")
    _add_key(live, "quota", "64.01.01.2009/2026-11-22")
    _add_key(live, "voucher", "batch/1")
    live.executemany(  # about 60 MB
        "INSERT INTO audit_entry (at, actor_label, action, object_type, object_id, detail)"
        " VALUES ('2026-11-22 00:00:00', 'cli', 'filler', 'x', ?, ?)",
        ((str(n), "x" * 4000) for n in range(15_000)),
    )
    live.commit()  # kept open, as a running server keeps its connections
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])  # noqa: S603
    try:
        time.sleep(0.3)
        assert writer.poll() is None, "the writer did not start"
        copying = threading.Thread(target=backup.backup_sqlite, args=(settings, target))
        copying.start()
        copying.join(timeout=20)
        finished = not copying.is_alive()
    finally:
        writer.kill()
        writer.wait()
        live.close()
    copying.join()
    assert finished, "the backup did not finish within 20 s while the database was written"
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM audit_entry").fetchone()[0] >= 15_000
    purposes = copy.execute("SELECT purpose FROM pseudonym_key").fetchall()
    copy.close()
    data = target.read_bytes()
    assert purposes == [("voucher",)]
    assert data.count(bytes(range(32))) == 1  # the voucher key's bytes, and no others
    for big in (target, path, path.with_name(path.name + "-wal")):
        big.unlink(missing_ok=True)  # filler only; spares the privacy scan 120 MB
