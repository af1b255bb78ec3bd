"""delivery status: a closed set on outbox.delivery_status; leases on salesforce_outbox

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 06:45:00

Statuses a carrier reported that are not in the set (``domain.delivery``) become
``unknown`` (the raw report stays in ``carrier_parts``); then a CHECK constraint keeps the
column to the set. ``salesforce_outbox`` gains ``lease_owner`` and ``lease_until``: it is
leased like the carriers' outbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_STATUSES = (
    "unknown",
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "read",
    "undelivered",
    "failed",
    "canceled",
)
_IN_SET = "delivery_status IN ({})".format(",".join(f"'{s}'" for s in _STATUSES))


def upgrade() -> None:
    outbox = sa.table("outbox", sa.column("delivery_status", sa.String(30)))
    op.execute(
        outbox.update()
        .where(outbox.c.delivery_status.is_not(None))
        .where(outbox.c.delivery_status.not_in(_STATUSES))
        .values(delivery_status="unknown")
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_outbox_delivery_status"), _IN_SET)
    with op.batch_alter_table("salesforce_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("salesforce_outbox", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_delivery_status"), type_="check")
