"""Issue 14: the outbox sends an opt-out confirmation ahead of ordinary traffic, so it meets
the FCC's 5 minutes under load, while each conversation keeps its own order."""

from __future__ import annotations

from tests.e2e.support import CONTACT, OTHER_CONTACT
from tests.helpers import Api

CONFIRMATION = (
    "[Automated Message] Opt out confirmed. If you change your mind, please reply with a "
    "new message."
)


def test_confirmation_goes_out_in_the_first_batch_behind_a_backlog(api: Api) -> None:
    tenant = api.tenant(enabled=False)  # messages pass straight through: a plain backlog
    for n in range(60):
        api.outbound(tenant, CONTACT, f"Newsletter part {n}")
    api.settings(tenant, sms_optin={"enabled": True, "mode": "consent"})
    api.inbound(tenant, OTHER_CONTACT, "Hello")
    api.inbound(tenant, OTHER_CONTACT, "STOP")

    sent = api.deliver()  # one batch of 20 out of 64 due items

    assert sent == 20
    # Read what the phones got without running the outbox again.
    contact_side = api.phone(tenant, OTHER_CONTACT, "contact")
    # The conversation's earlier request goes first, then the confirmation: its order holds.
    assert len(contact_side) == 2
    assert contact_side[0].startswith("[Auto Message] You are trying to reach Ada Lovelace.")
    assert contact_side[1] == CONFIRMATION
    newsletter = api.phone(tenant, CONTACT, "contact")
    # The batch: the request, its employee notice, the confirmation, then 17 ordinary
    # items (the employee's opt-out notice, written after the confirmation, waits its turn).
    assert len(newsletter) == 17
    assert newsletter[:3] == ["Newsletter part 0", "Newsletter part 1", "Newsletter part 2"]
    while api.deliver():
        pass
    assert api.phone(tenant, CONTACT, "contact") == [f"Newsletter part {n}" for n in range(60)]
