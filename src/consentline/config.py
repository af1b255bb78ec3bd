"""Settings from the environment (``CONSENTLINE_*``), in one object."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///consentline.db"


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENTLINE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    environment: Literal["development", "production"] = "development"
    default_region: str = "US"
    """Region assumed for numbers written without a country code."""
    outbox_interval: float = 0.5
    """Seconds between outbox passes when nothing wakes the worker."""
    run_worker: bool = True
    """Run the outbox worker inside ``serve``."""

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("default_region is a two-letter country code, like US")
        return value.upper()

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql+psycopg:// URL")
        return value
