"""A worker process killed mid-batch: after a restart every message is sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

from tests.integration.carriers.conftest import ACCOUNT_SID, AUTH_TOKEN, LINE, Carrier
from tests.standins.twilio_api import TwilioStandIn

MESSAGES = 12
CONTACT = "+15557770042"


def _worker(carrier: Carrier, twilio_api: TwilioStandIn) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONSENTLINE_DATABASE_URL": carrier.config.database_url,
        "CONSENTLINE_TWILIO_API_BASE": twilio_api.url,
        "CONSENTLINE_PUBLIC_URL": "https://gateway.example.com",
        "CONSENTLINE_OUTBOX_LEASE_SECONDS": "3",
        "CONSENTLINE_OUTBOX_BATCH": "4",
        "CONSENTLINE_OUTBOX_INTERVAL": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "consentline", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_killed_worker_leaves_nothing_unsent_and_nothing_sent_twice(
    carrier: Carrier, twilio_api: TwilioStandIn
) -> None:
    carrier.providers(
        twilio={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "lines": [LINE]}
    )
    carrier.api.settings(carrier.tenant, sms_optin={"enabled": False})  # each send goes out
    for n in range(1, MESSAGES + 1):
        carrier.api.outbound(carrier.tenant, CONTACT, f"Message {n}")
    twilio_api.state.delay = 0.4  # a slow carrier: the kill lands while a send is in flight

    first = _worker(carrier, twilio_api)
    try:
        assert _wait(lambda: len(twilio_api.sent()) >= 3, 60), "the worker sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    sent_before_restart = len(twilio_api.sent())
    assert sent_before_restart < MESSAGES
    recorded = [r for r in carrier.outbox_rows() if r.status == "sent"]
    # Twilio has a message the worker never recorded: resending it blindly would double it.
    assert sent_before_restart > len(recorded)

    second = _worker(carrier, twilio_api)
    try:
        done = _wait(lambda: all(r.status == "sent" for r in carrier.outbox_rows()), 90)
    finally:
        second.terminate()
        second.wait(10)
    assert done, [(r.id, r.status, r.last_error) for r in carrier.outbox_rows()]

    counted = Counter(twilio_api.bodies())
    assert counted == Counter(f"Message {n}" for n in range(1, MESSAGES + 1))
    sids = [m.sid for m in twilio_api.sent()]
    assert sorted(r.provider_message_id for r in carrier.outbox_rows()) == sorted(sids)
