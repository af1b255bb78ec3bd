"""Archive fixtures: a little real traffic through the service layer."""

from __future__ import annotations

import pytest

from tests.helpers import FakeClock
from tests.integration.conftest import Gateway

ALICE, BOB = "+15550199001", "+15550199002"


@pytest.fixture
def traffic(gateway: Gateway, clock: FakeClock) -> Gateway:
    gateway.inbound(ALICE, "Hi Grace")
    clock.advance(minutes=1)
    gateway.inbound(ALICE, "yes")
    clock.advance(minutes=1)
    gateway.outbound(ALICE, "Hello Alice")
    gateway.inbound(BOB, "Is the clinic open?")
    clock.advance(minutes=1)
    gateway.inbound(BOB, "STOP")
    return gateway
