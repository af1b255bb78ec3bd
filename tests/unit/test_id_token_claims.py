"""The ID token claim checks, one rule at a time (no provider, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from consentline.service.id_token import Expected, SsoRefused, check_claims

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EXPECTED = Expected("https://idp.test", "consentline", "n0nce", ("bank.test",))
GOOD: dict[str, Any] = {
    "iss": "https://idp.test",
    "aud": "consentline",
    "exp": NOW.timestamp() + 300,
    "nonce": "n0nce",
    "sub": "abc",
    "email": "Ann@Bank.test",
    "email_verified": True,
}


def test_a_good_token_names_the_person() -> None:
    identity = check_claims(GOOD, EXPECTED, NOW)
    assert (identity.email, identity.name, identity.subject) == ("ann@bank.test", "ann", "abc")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"iss": "https://idp.test/"}, "wrong_issuer"),
        ({"aud": "other"}, "wrong_audience"),
        ({"aud": ["consentline", "other"]}, "wrong_audience"),  # several audiences need azp
        ({"aud": ["consentline", "other"], "azp": "other"}, "wrong_audience"),
        ({"exp": NOW.timestamp() - 61}, "token_expired"),
        ({"exp": None}, "token_expired"),
        ({"nonce": None}, "wrong_nonce"),
        ({"nonce": "n0nce2"}, "wrong_nonce"),
        ({"email": None}, "no_email"),
        ({"email_verified": None}, "email_unverified"),
        ({"email_verified": "true"}, "email_unverified"),
        ({"email": "ann@evil-bank.test"}, "email_domain_not_allowed"),
        ({"email": "ann@sub.bank.test"}, "email_domain_not_allowed"),
    ],
)
def test_each_wrong_claim_is_refused_with_its_reason(change: dict[str, Any], code: str) -> None:
    with pytest.raises(SsoRefused) as refused:
        check_claims({**GOOD, **change}, EXPECTED, NOW)
    assert refused.value.code == code


def test_several_audiences_with_our_azp_and_a_little_clock_skew_are_accepted() -> None:
    claims = {**GOOD, "aud": ["consentline", "api"], "azp": "consentline"}
    claims["exp"] = NOW.timestamp() - 30
    assert check_claims(claims, EXPECTED, NOW).email == "ann@bank.test"
