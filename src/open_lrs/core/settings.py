"""Typed settings, read from ``LRS_`` environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from open_lrs.core.batch_windows import Windows, parse_windows

DEFAULT_DATABASE_URL = "sqlite:///./var/open-lrs.sqlite3"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "development-only-secret"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LRS_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    database_echo: bool = False
    # SQLite only: writers take turns and a thread checkpoints the log (core/sqlite/README.md).
    # false: SQLite's own busy wait and checkpoints, as any SQLite application has them.
    sqlite_tuned: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr = SecretStr("development-only-secret")
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # Batch files: 5,000 learners with long notes fit well within 16 MiB.
    max_upload_bytes: int = Field(default=16_777_216, ge=1024)
    # Feed files (ILR returns, awards, school results) and calls of up to 5,000 awards.
    max_feed_bytes: int = Field(default=104_857_600, ge=1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    # The matching model file (matching/data/model-v<N>.json) that scores searches.
    match_model_version: str = Field(default="3", pattern=r"^[0-9A-Za-z_.-]{1,20}$")
    # How long a server process remembers an authenticated API key (0: look it up every time).
    # A revoked key keeps working for at most this long.
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    # Batch processing windows (docs/batch-format.md): by default a batch runs at once.
    batch_cutoff: str | None = None
    batch_overnight_start: str = "00:00"
    batch_daytime_start: str = "06:00"
    batch_daytime_rows_per_organisation: int | None = None
    batch_time_zone: str = "Europe/London"
    # Days a finished batch keeps the personal data submitted in it (batches/retention.py).
    batch_retention_days: int = Field(default=90, ge=1, le=3650)
    # The organisation portal (docs/portal.md): sign-in sessions end after this long unused.
    portal_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Session cookies are sent only over HTTPS; turn off only to try the portal over plain
    # http on another machine than 127.0.0.1 (refused in production).
    portal_secure_cookies: bool = True
    # Failed sign-in attempts (password or code) in a row that lock a user out, and for how long.
    portal_lockout_attempts: int = Field(default=5, ge=1, le=100)
    portal_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Where the portal's "contact us" page and Beta banner send people: the service desk of
    # the organisation running this installation (none: the page says to ask that organisation).
    support_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "LRS_SECRET_KEY must be set to a random value of 32 or more characters "
                "when LRS_ENVIRONMENT=production"
            )
        if self.environment == "production" and not self.portal_secure_cookies:
            raise ValueError("LRS_PORTAL_SECURE_COOKIES cannot be false in production")
        return self

    @model_validator(mode="after")
    def _check_batch_windows(self) -> Settings:
        self.batch_windows()  # a mistyped time stops the service at start-up, named
        return self

    def batch_windows(self) -> Windows:
        return parse_windows(
            self.batch_cutoff,
            self.batch_overnight_start,
            self.batch_daytime_start,
            self.batch_daytime_rows_per_organisation,
            self.batch_time_zone,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.split("///", 1)[1])


@lru_cache
def get_settings() -> Settings:
    return Settings()
