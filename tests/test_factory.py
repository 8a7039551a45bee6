"""The factory has no side effects; settings come from the environment."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from portal import create_app, settings_of
from portal.config import Settings


def test_create_app_on_an_empty_folder_creates_no_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, secret_key="k" * 32)

    app = create_app(settings)

    assert settings_of(app) is settings
    assert not data_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_create_app_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="secret_key"):
        create_app(Settings(data_dir=tmp_path))


def test_settings_from_env() -> None:
    settings = Settings.from_env(
        {
            "WIFIDESA_DATA_DIR": "/srv/wifidesa",
            "WIFIDESA_DATABASE_URL": "postgresql://wd@db/wifidesa",
            "WIFIDESA_SECRET_KEY": "s3cret",
            "WIFIDESA_PUBLIC_URL": "https://wifi.paserkab.go.id/",
            "WIFIDESA_SUPPRESSION_THRESHOLD": "10",
            "WIFIDESA_SESSION_RETENTION_DAYS": "30",
            "WIFIDESA_KEY_GRACE_DAYS": "1",
        }
    )

    assert settings.data_dir == Path("/srv/wifidesa")
    assert settings.sqlalchemy_url == "postgresql+psycopg://wd@db/wifidesa"
    assert settings.is_sqlite is False
    assert settings.secret_key == "s3cret"
    assert settings.public_url == "https://wifi.paserkab.go.id"
    assert settings.secure_cookies is True
    assert (settings.suppression_threshold, settings.session_retention_days) == (10, 30)
    assert settings.key_grace_days == 1


def test_settings_defaults_to_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"WIFIDESA_DATA_DIR": str(tmp_path)})

    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'wifidesa.sqlite3'}"
    assert settings.is_sqlite
    assert settings.suppression_threshold == 5


def test_settings_refuse_a_malformed_number() -> None:
    with pytest.raises(ValueError, match="WIFIDESA_KEY_GRACE_DAYS"):
        Settings.from_env({"WIFIDESA_KEY_GRACE_DAYS": "two"})


def test_secret_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    first = settings.resolve_secret_key()
    second = settings.resolve_secret_key()

    key_file = tmp_path / "data" / "secret_key"
    assert len(first.secret_key) == 64
    assert second.secret_key == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.secret_key == ""  # settings are frozen; a new value is returned


def test_a_given_secret_key_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="given")

    assert settings.resolve_secret_key() is settings
    assert not (tmp_path / "data").exists()
