"""Reading the claim-to-privileges map typed on Setup > Sign-in."""

from __future__ import annotations

import pytest

from consentline.domain.errors import InvalidInput
from consentline.portal.sign_in_settings import parse_claim_privileges


def test_each_line_maps_a_claim_value_to_privileges() -> None:
    text = "cn=admins,ou=groups: Setup, reports\n\n  compliance:reports \nurn:x:staff: messaging\n"
    assert parse_claim_privileges(text) == {
        "cn=admins,ou=groups": ["setup", "reports"],
        "compliance": ["reports"],
        "urn:x:staff": ["messaging"],
    }


@pytest.mark.parametrize("line", ["admins", ": setup"])
def test_a_line_without_a_value_and_a_colon_is_refused(line: str) -> None:
    with pytest.raises(InvalidInput, match="Line 1"):
        parse_claim_privileges(line)
