"""How long a failed delivery waits before its next try (every outbox: carriers, Salesforce)."""

from __future__ import annotations

import random
from datetime import timedelta


def backoff(attempts: int, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2**attempts))``.

    The jitter spreads the retries of items that failed together (a carrier or Salesforce
    outage) instead of sending them all back at the same moment.
    """
    return timedelta(seconds=random.uniform(0, min(cap, base * 2**attempts)))  # noqa: S311
