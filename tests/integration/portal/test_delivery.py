"""Setup > Delivery: dead letters shown with the contact masked, and sent again."""

from __future__ import annotations

import re

from sqlalchemy import Engine, select

from consentline.domain.phone import mask
from consentline.service.outbox_worker import deliver_due
from consentline.store.outbox import OutboxItem
from consentline.store.tables import outbox
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant

CONTACT = "+15550199001"


class Down:
    name = "down"

    def send(self, item: OutboxItem) -> str | None:
        raise ConnectionError("carrier down")


def _dead_letter(portal: Portal, engine: Engine, clock: FakeClock) -> int:
    line_id = re.search(r'name="line" value="(\d+)"', portal.get("/try").text)
    assert line_id
    sent = portal.post(
        "/try/send",
        {"line": line_id.group(1), "contact": CONTACT, "side": "employee", "body": "Hello"},
    )
    assert sent.status_code == 303
    deliver_due(engine, {"contact": Down(), "employee": Down()}, clock, max_attempts=1)
    with engine.connect() as conn:
        dead = conn.execute(select(outbox.c.id).where(outbox.c.status == "dead")).scalars()
        ids = list(dead)
    assert ids
    return int(ids[0])


def _status(engine: Engine, item_id: int) -> tuple[str, int]:
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.id == item_id)).one()
    return row.status, row.attempts


def test_a_dead_letter_is_shown_masked_and_retried(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.admin)
    item_id = _dead_letter(portal, engine, clock)
    page = portal.get("/setup/delivery")
    assert page.status_code == 200
    assert 'href="/setup/delivery"' in page.text
    assert f'action="/setup/delivery/{item_id}/retry"' in page.text
    assert mask(CONTACT) in page.text
    assert CONTACT not in page.text
    assert "carrier down" in page.text

    retried = portal.post(f"/setup/delivery/{item_id}/retry", {}, token=portal.token(page.url.path))
    assert retried.status_code == 303
    assert retried.headers["location"] == "/setup/delivery"
    assert _status(engine, item_id) == ("pending", 0)
    after = portal.get("/setup/delivery").text
    assert f"Message {item_id} will be sent again." in after
    assert f'action="/setup/delivery/{item_id}/retry"' not in after
    assert portal.post(f"/setup/delivery/{item_id}/retry", {}).status_code == 404
    log = portal.get("/audit-log", params={"action": "outbox.retried"}).text
    assert f"outbox_item {item_id}" in log
    assert "1 record ·" in log


def test_a_user_without_setup_is_refused(
    portal: Portal, tenant: PortalTenant, engine: Engine, clock: FakeClock
) -> None:
    portal.sign_in(tenant.admin)
    item_id = _dead_letter(portal, engine, clock)
    portal.client.cookies.clear()
    portal.sign_in(tenant.viewer)
    assert 'href="/setup/delivery"' not in portal.get("/setup/users").text
    assert portal.get("/setup/delivery").status_code == 403
    token = portal.token("/setup/feature-settings")
    assert portal.post(f"/setup/delivery/{item_id}/retry", {}, token=token).status_code == 403
    assert _status(engine, item_id) == ("dead", 1)
