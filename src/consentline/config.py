"""Settings from the environment (``CONSENTLINE_*``), in one object."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///consentline.db"
MIN_SECRET_KEY = 32


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
    public_url: str | None = None
    """Where carriers reach this server (https://gateway.example.com): Twilio signs webhook
    URLs on it and status callbacks are sent to it. Without it the request's own URL is used
    and sends ask for no status callback."""
    twilio_api_base: str | None = None
    """Another address for Twilio's REST API (the tests' local stand-in); unset: Twilio's."""
    graph_api_base: str = "https://graph.facebook.com"
    graph_api_version: str = "v21.0"
    carrier_timeout: float = 15.0
    """Seconds a send to a carrier or the employee app may take."""
    outbox_max_attempts: int = 8
    """Tries before an outbox item becomes a dead letter."""
    outbox_lease_seconds: float = 120.0
    """How long a worker holds the items it claimed; after that another worker takes them."""
    outbox_batch: int = 20
    """Items one worker claims at a time."""
    max_body_bytes: int = 1_048_576
    """Requests with a larger body are refused with 413."""
    max_upload_bytes: int = 20_000_000
    """The same for file uploads (a consent import: about 200,000 rows)."""
    max_concurrent_requests: int = Field(default=40, ge=1)
    """Requests served at once by one server process (its thread pool has 40 threads);
    more wait in line (see ``api/admission.py``)."""
    queue_timeout: float = Field(default=10.0, gt=0)
    """Seconds a request waits in that line before it is answered 503 with Retry-After."""
    database_connect_timeout: float = Field(default=5.0, gt=0)
    """Seconds to wait for a new PostgreSQL connection; then the request answers 503."""
    database_statement_timeout: float = Field(default=10.0, gt=0)
    """Seconds one PostgreSQL statement may run before the server cancels it (the request
    answers 503). A server that answers nothing at all (frozen) is given one second more."""
    log_format: Literal["json", "text"] = "json"
    secret_key: str | None = None
    """A secret of the deployment, required in production (at least 32 characters). Portal
    sessions no longer depend on it: they are kept on the server (``portal_sessions``)."""

    session_idle_minutes: float = Field(default=30, gt=0)
    """A portal session ends after this many minutes without a request."""
    session_absolute_hours: float = Field(default=12, gt=0)
    """A portal session ends this many hours after sign-in, however busy."""

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

    @model_validator(mode="after")
    def _secret_key_in_production(self) -> Config:
        if self.environment == "production" and len(self.secret_key or "") < MIN_SECRET_KEY:
            raise ValueError(
                f"CONSENTLINE_SECRET_KEY must be set to at least {MIN_SECRET_KEY} random "
                "characters in production (it signs portal sessions)"
            )
        return self
