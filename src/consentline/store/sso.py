"""Single sign-on providers, one per main organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from consentline.store.sign_in_tables import sso_providers


@dataclass(frozen=True)
class SsoRow:
    root_id: int
    label: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    privileges_claim: str | None
    claim_privileges: dict[str, list[str]]
    create_users: bool
    updated_at: datetime


def _row(row: object) -> SsoRow:
    return SsoRow(
        row.root_id,  # type: ignore[attr-defined]
        row.label,  # type: ignore[attr-defined]
        row.issuer,  # type: ignore[attr-defined]
        row.client_id,  # type: ignore[attr-defined]
        row.client_secret,  # type: ignore[attr-defined]
        tuple(row.allowed_domains),  # type: ignore[attr-defined]
        row.privileges_claim,  # type: ignore[attr-defined]
        dict(row.claim_privileges),  # type: ignore[attr-defined]
        bool(row.create_users),  # type: ignore[attr-defined]
        row.updated_at,  # type: ignore[attr-defined]
    )


def get_provider(conn: Connection, root_id: int) -> SsoRow | None:
    row = conn.execute(select(sso_providers).where(sso_providers.c.root_id == root_id)).first()
    return _row(row) if row else None


def all_providers(conn: Connection) -> list[SsoRow]:
    """Every configured provider (one per main organization: few rows)."""
    return [_row(row) for row in conn.execute(select(sso_providers))]


def put_provider(conn: Connection, provider: SsoRow) -> None:
    conn.execute(delete(sso_providers).where(sso_providers.c.root_id == provider.root_id))
    conn.execute(
        insert(sso_providers).values(
            root_id=provider.root_id,
            label=provider.label,
            issuer=provider.issuer,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            allowed_domains=list(provider.allowed_domains),
            privileges_claim=provider.privileges_claim,
            claim_privileges=provider.claim_privileges,
            create_users=provider.create_users,
            updated_at=provider.updated_at,
        )
    )


def delete_provider(conn: Connection, root_id: int) -> bool:
    return delete_rows(conn, root_id) > 0


def delete_rows(conn: Connection, root_id: int) -> int:
    return conn.execute(delete(sso_providers).where(sso_providers.c.root_id == root_id)).rowcount
