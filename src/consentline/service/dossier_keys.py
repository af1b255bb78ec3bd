"""Each root organization's Ed25519 dossier key, made on first use."""

from __future__ import annotations

import base64
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from consentline.service.unit_of_work import UnitOfWork
from consentline.store.consent_ops_tables import dossier_keys


def signing_key(engine: Engine, root_id: int, now: datetime) -> Ed25519PrivateKey:
    """The organization's key; two callers making it at once keep the first one stored."""
    for _ in range(2):
        with UnitOfWork(engine) as uow:
            stored = uow.connection.execute(
                select(dossier_keys.c.private_key).where(dossier_keys.c.root_id == root_id)
            ).scalar()
            if stored is not None:
                return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored))
            key = Ed25519PrivateKey.generate()
            try:
                uow.connection.execute(
                    dossier_keys.insert().values(
                        root_id=root_id,
                        private_key=base64.b64encode(key.private_bytes_raw()).decode(),
                        public_key=base64.b64encode(public_bytes(key)).decode(),
                        created_at=now,
                    )
                )
                uow.commit()
            except IntegrityError:
                continue
            return key
    raise RuntimeError("could not store the dossier key")


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
