"""Typed, frozen settings read from the environment.

Everything the application needs to know about its surroundings lives in one
`Settings` value that is built once (``Settings.from_env()``) and passed into
``create_app``. Tests build their own instead of patching the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path


def utcnow() -> datetime:
    """The system's time as a naive UTC datetime (the form the database stores); the
    default `Settings.clock`. Domain code never calls it: it is given ``now``."""
    return datetime.now(UTC).replace(tzinfo=None)


SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
SQLITE_FILE = "wifidesa.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one installation.

    ``secret_key`` may be empty: `resolve_secret_key` then reads or creates the key
    file in the data folder (an explicit step, never done by ``create_app``).
    """

    data_dir: Path = Path("instance")
    database_url: str = ""
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8080"
    #: Reports hide counts that describe fewer devices than this.
    suppression_threshold: int = 5
    #: Raw accounting sessions are deleted this many days after they were rolled up.
    session_retention_days: int = 90
    #: Pseudonym keys are destroyed this many days after their window ends.
    key_grace_days: int = 2
    #: Reverse proxies in front of the portal (nginx: 1). Their X-Forwarded-For and
    #: X-Forwarded-Proto are believed; with 0 they are ignored, so a client cannot set
    #: them to slip past the per-address login lock.
    trusted_proxies: int = 0
    #: A PEM file of extra certificate authorities trusted for outgoing TLS (the
    #: notification channels: SMTP STARTTLS, the Telegram Bot API), e.g. an office's own.
    ca_file: str = ""
    #: How many seconds of session time one second of wall time may account for in
    #: accounting (`portal.domain.usage.plausibility`): 1, except for the province
    #: benchmark, whose simulated routers live a day in a few minutes.
    session_time_factor: float = 1.0
    #: A second RADIUS server of the installation (address or DNS name as routers reach
    #: it; "" for none): the router script lists it after the first, as accounting backup.
    radius_secondary: str = ""
    testing: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    #: The one clock of the installation (naive UTC): every blueprint and the RADIUS
    #: server read it, tests set their own.
    clock: Callable[[], datetime] = field(default=utcnow, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``WIFIDESA_*`` variables (``environ`` defaults to os.environ).

        Raises ValueError when a numeric variable is not a whole number.
        """
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("WIFIDESA_DATA_DIR", "instance")).expanduser().absolute()
        public_url = env.get("WIFIDESA_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")
        return cls(
            data_dir=data_dir,
            database_url=env.get("WIFIDESA_DATABASE_URL", ""),
            secret_key=env.get("WIFIDESA_SECRET_KEY", ""),
            public_url=public_url,
            suppression_threshold=_int(env, "WIFIDESA_SUPPRESSION_THRESHOLD", 5),
            session_retention_days=_int(env, "WIFIDESA_SESSION_RETENTION_DAYS", 90),
            key_grace_days=_int(env, "WIFIDESA_KEY_GRACE_DAYS", 2),
            trusted_proxies=_int(env, "WIFIDESA_TRUSTED_PROXIES", 0),
            ca_file=env.get("WIFIDESA_CA_FILE", ""),
            session_time_factor=_int(env, "WIFIDESA_SESSION_TIME_FACTOR", 1),
            radius_secondary=env.get("WIFIDESA_RADIUS_SECONDARY", "").strip(),
        )

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, SQLite in the data folder unless one was given.

        ``postgresql://`` URLs are pointed at psycopg 3, the driver we ship.
        """
        url = self.database_url or f"sqlite:///{self.data_dir / SQLITE_FILE}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def secure_cookies(self) -> bool:
        """Whether phones and admins reach the portal over https: cookies are then
        Secure (the session one ``__Host-``) and responses carry HSTS.

        Derived from ``public_url`` so that settings built in code cannot pair an https
        address with cookies a network attacker could read.
        """
        return self.public_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    def resolve_secret_key(self) -> Settings:
        """Return settings whose ``secret_key`` is set.

        When none was given, reads ``<data_dir>/secret_key`` or creates it (mode 0600)
        with 64 random hex characters. Raises OSError if the data folder is not writable.
        """
        if self.secret_key:
            return self
        path = self.data_dir / SECRET_KEY_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return replace(self, secret_key=path.read_text().strip())


def _int(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
