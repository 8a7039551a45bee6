"""SQLite online backup: a verified copy while the database is in use."""

import sqlite3
from datetime import datetime

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
