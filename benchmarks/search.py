"""Benchmark: the conversation search over a large archive (portal and API use the same).

Builds N conversations (1,000 lines in three organizations, two channels, every consent
state, last changes spread over two years) with two messages each drawn from a vocabulary
of 5,000 words, by bulk inserts (the FTS5 triggers index every message as it lands), then
times each filter's first page of 25 with its counts per state, as the Conversations page
asks for it (``service.conversation_search.search``).

    uv run python -m benchmarks.search                      # 1,000,000 conversations
    uv run python -m benchmarks.search --conversations 100000
    uv run python -m benchmarks.search --database-url postgresql+psycopg://...

SQLite by default (a file in a temporary folder, removed afterwards). Prints one line per
query: the median and the slowest of five runs, and how many conversations matched.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

from benchmarks.setup_data import insert_bank
from consentline.domain.consent import State
from consentline.domain.messages import Channel
from consentline.service import conversation_search
from consentline.service.access import Principal
from consentline.service.conversation_search import SearchFilter
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate
from consentline.store.tables import conversations, messages

START = datetime(2024, 1, 1, tzinfo=UTC)
LINES = 1000
BATCH = 50_000
VOCABULARY = 5000
OPERATOR = Principal("bench", None, frozenset(), is_operator=True)
STATES = ["opted_in", "opted_out", "pending", "disclaimer_sent", "none"]


def _word(n: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = ""
    n += 26 * 26
    while n:
        n, rest = divmod(n, 26)
        text += letters[rest]
    return text


def build(engine: Engine, total: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    words = [_word(n) for n in range(VOCABULARY)]
    # Zipf-like: a few common words, many rare ones (cumulative, so each draw is a bisect).
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))
    with engine.begin() as conn:
        insert_bank(conn, lines=LINES, at=START)
    pending_conversations: list[dict[str, Any]] = []
    pending_messages: list[dict[str, Any]] = []
    message_id = 0
    for cid in range(1, total + 1):
        changed = START + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        pending_conversations.append(
            {
                "id": cid,
                "root_id": 1,
                "line_id": 1 + cid % LINES,
                "contact": f"+1666{cid:07d}",
                "channel": "sms" if cid % 5 else "whatsapp",
                "state": rng.choice(STATES),
                "mode": "consent",
                "initiated_by": "contact",
                "created_at": changed,
                "updated_at": changed,
            }
        )
        for n in range(2):
            message_id += 1
            body = " ".join(rng.choices(words, cum_weights=cumulative, k=8))
            pending_messages.append(
                {
                    "id": message_id,
                    "root_id": 1,
                    "conversation_id": cid,
                    "sender": "contact" if n == 0 else "employee",
                    "recipient": "employee" if n == 0 else "contact",
                    "kind": "user",
                    "template": None,
                    "body": body,
                    "channel": "sms",
                    "created_at": changed - timedelta(minutes=1 - n),
                }
            )
        if len(pending_conversations) >= BATCH or cid == total:
            with engine.begin() as conn:
                conn.execute(insert(conversations), pending_conversations)
                conn.execute(insert(messages), pending_messages)
            pending_conversations.clear()
            pending_messages.clear()


QUERIES: dict[str, tuple[SearchFilter, int]] = {
    "everything, newest first": (SearchFilter(org=1), 1),
    "page 2,000 of everything": (SearchFilter(org=1), 2000),
    "one contact (any format)": (SearchFilter(org=1, contact="(666) 000-0777"), 1),
    "one line by number": (SearchFilter(org=1, line="+1 555 000 0017"), 1),
    "employee name part": (SearchFilter(org=1, line="Employee 17"), 1),
    "a sub-organization": (SearchFilter(org=2), 1),
    "state pending": (SearchFilter(org=1, state=State.PENDING), 1),
    "channel WhatsApp": (SearchFilter(org=1, channel=Channel.WHATSAPP), 1),
    "one week": (SearchFilter(org=1, start=date(2024, 6, 3), end=date(2024, 6, 9)), 1),
    "a rare word": (SearchFilter(org=1, text=_word(4000)), 1),
    "a common word": (SearchFilter(org=1, text=_word(3)), 1),
    "two words": (SearchFilter(org=1, text=f"{_word(40)} {_word(90)}"), 1),
    "state + month + word": (
        SearchFilter(
            org=1,
            state=State.OPTED_IN,
            start=date(2024, 6, 1),
            end=date(2024, 6, 30),
            text=_word(10),
        ),
        1,
    ),
}


def run(engine: Engine) -> None:
    for name, (wanted, page) in QUERIES.items():
        times, total = [], 0
        for _ in range(5):
            began = time.perf_counter()
            with UnitOfWork(engine) as uow:
                result = conversation_search.search(uow, OPERATOR, wanted, page, 25)
            times.append((time.perf_counter() - began) * 1000)
            total = result.total
        print(
            f"{name:<28} median {statistics.median(times):8.1f} ms   "
            f"max {max(times):8.1f} ms   matches {total:>9,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'search.db'}"
        engine = make_engine(url)
        migrate(engine)
        began = time.perf_counter()
        with engine.connect() as conn:
            present = conn.execute(select(func.count()).select_from(conversations)).scalar_one()
        if not present:  # a --database-url already built is searched as it is
            build(engine, options.conversations)
            present = options.conversations
        built = time.perf_counter() - began
        options.conversations = present
        print(
            f"{options.conversations:,} conversations, {2 * options.conversations:,} messages"
            f" built in {built:.0f} s on {engine.dialect.name}"
        )
        run(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
