"""Logs as JSON lines carrying the request id, and Prometheus metrics.

Phone numbers are masked in every log line (``log_redaction``); secrets are never logged.
"""

from __future__ import annotations

import json
import logging
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess as prometheus_multiprocess,
)

from consentline.log_redaction import PhoneNumberRedactor, scrub

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

DECISIONS = Counter(
    "consentline_decisions_total",
    "Messages decided by the policy, by direction and outcome (the message's status).",
    ["direction", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "consentline_http_request_duration_seconds",
    "HTTP request latency by route template, method and status class.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

# LogRecord's own attributes, and uvicorn's ANSI-coloured copy of the message.
_SKIPPED_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which of several server processes
        }
        current = request_id.get()
        if current:
            entry["request_id"] = current
        for key, value in vars(record).items():
            if key not in _SKIPPED_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            # Scrubbed by ``PhoneNumberRedactor`` when the handler has it; scrubbed here too.
            entry["exception"] = scrub(record.exc_text or self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def logging_config(log_format: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server: one stream, phone numbers masked."""
    formatter = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_phone_numbers": {"()": PhoneNumberRedactor}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact_phone_numbers"],
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["console"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            # The access log is written by RequestContextMiddleware, with the request id.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def metrics_exposition() -> tuple[bytes, str]:
    """The metrics page; with several worker processes, the sum over all of them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
