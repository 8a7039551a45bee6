"""Online backups of the SQLite database (PostgreSQL has its own tools).

SQLite's backup API copies a consistent snapshot while the portal and RADIUS server
keep running; the copy is checked with ``PRAGMA integrity_check``. It copies in one
step: a copy made in steps starts over whenever another connection commits, and the
RADIUS server commits every few milliseconds, so it would never finish.

The copy leaves out the daily quota keys (device pseudonyms of today and yesterday):
a backup kept for weeks must not be what links a day's devices after their key was
destroyed. Restoring one gives today's devices new pseudonyms, so their day's usage
starts again. Voucher keys stay: without them a voucher's bound phone would be
refused after a restore.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from portal.config import Settings

POSTGRES_GUIDANCE = (
    "PostgreSQL: use pg_dump -Fc for a logical backup "
    '(pg_dump -Fc -d "$WIFIDESA_DATABASE_URL" -f wifidesa.dump; restore with pg_restore), '
    "or pg_basebackup plus WAL archiving for point-in-time recovery."
)


class BackupFailed(RuntimeError):
    """The copy could not be made or did not pass its integrity check."""


def default_target(settings: Settings, now: datetime) -> Path:
    """``<data_dir>/backups/wifidesa-YYYYmmdd-HHMMSS.sqlite3``."""
    return settings.data_dir / "backups" / f"wifidesa-{now:%Y%m%d-%H%M%S}.sqlite3"


def backup_sqlite(settings: Settings, target: Path) -> Path:
    """Copy the live SQLite database to ``target`` and verify the copy.

    Returns the target path. Raises BackupFailed when the database is not SQLite,
    the target exists, or the copy fails its integrity check.
    """
    if not settings.is_sqlite:
        raise BackupFailed("the database is not SQLite. " + POSTGRES_GUIDANCE)
    source_path = Path(settings.sqlalchemy_url.removeprefix("sqlite:///"))
    if not source_path.exists():
        raise BackupFailed(f"no database at {source_path}; run `wifidesa init-db` first")
    if target.exists():
        raise BackupFailed(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=-1)
        _drop_quota_keys(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise BackupFailed(f"backup failed: {error}") from error
    finally:
        copy.close()
        source.close()
    if result != "ok":
        target.unlink(missing_ok=True)
        raise BackupFailed(f"the copy failed its integrity check: {result}")
    target.chmod(0o600)
    return target


def _drop_quota_keys(copy: sqlite3.Connection) -> None:
    """Delete the quota-window keys from the copy, overwriting their pages."""
    copy.execute("PRAGMA secure_delete=ON")
    with copy:
        copy.execute("DELETE FROM pseudonym_key WHERE purpose = 'quota'")
    copy.execute("VACUUM")
