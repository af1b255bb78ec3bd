"""Exception text in a log line is scrubbed: values PostgreSQL quotes, emails, keys, hashes,
phone numbers."""

from __future__ import annotations

import hashlib
import json
import logging
import sys

from consentline.log_redaction import PhoneNumberRedactor
from consentline.observability import JsonFormatter

KEY = "cl_" + "k" * 43
SECRETS = [
    "15550001001",
    "ada@example.test",
    KEY,
    hashlib.sha256(KEY.encode()).hexdigest(),
    "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    "meet me at noon",
]


def _record() -> logging.LogRecord:
    try:
        raise RuntimeError(
            'duplicate key value violates unique constraint "uq_lines_number"\n'
            "DETAIL:  Key (number)=(+15550001001) already exists.\n"
            f"user ada@example.test key {KEY} hash {SECRETS[3]} password {SECRETS[4]}\n"
            "[parameters: {'body': 'meet me at noon'}]"
        )
    except RuntimeError:
        info = sys.exc_info()
    return logging.LogRecord(
        "t", logging.ERROR, __file__, 1, "failed for %s", ("+15550001001",), info
    )


def test_exception_text_and_message_are_scrubbed() -> None:
    record = _record()
    assert PhoneNumberRedactor().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "DETAIL: [scrubbed]" in entry["exception"]
    assert "uq_lines_number" in entry["exception"]  # what failed stays readable
    for secret in SECRETS:
        assert secret not in line, secret


def test_a_formatter_without_the_filter_scrubs_too() -> None:
    line = JsonFormatter().format(_record())
    for secret in SECRETS[1:]:
        assert secret not in json.loads(line)["exception"], secret
