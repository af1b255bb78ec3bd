"""Can the database take writes now? What readiness checks ask, beyond "does it answer"."""

from __future__ import annotations

import os

from sqlalchemy import Engine, delete, insert

from consentline.store.db import LOCK_WAIT, WriteLockBusy
from consentline.store.health_tables import readiness_probe

# Larger than a page, so the write needs room the database may not have left.
PROBE_BYTES = 16 * 1024
PROBE_LOCK_WAIT = 1.0


def probe_write(engine: Engine) -> None:
    """Commit a few pages and delete them again; raises when that cannot be done (a full
    disk, SQLite's size limit, a read-only, frozen or unreachable database).

    A SQLite write lock held by others for longer than a second is not a failure: those
    others are writing.
    """
    try:
        with engine.connect().execution_options(**{LOCK_WAIT: PROBE_LOCK_WAIT}) as conn:
            with conn.begin():
                conn.execute(insert(readiness_probe).values(filler=os.urandom(PROBE_BYTES)))
            with conn.begin():
                conn.execute(delete(readiness_probe))
    except WriteLockBusy:
        return
