"""Checking an OpenID Connect ID token: its signature, then every claim we rely on.

The signature is checked with the provider's published keys (JWKS), asymmetric algorithms
only, so neither ``alg: none`` nor a token signed with the client secret is accepted. Each
refusal has its own code, shown to the person and kept for the audit log.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from consentline.domain.errors import Unauthorized

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY = timedelta(seconds=60)
"""Clock difference tolerated between the provider and this server."""


class SsoRefused(Unauthorized):
    """A single sign-on that must not sign anyone in; ``code`` says why."""

    code = "sso_refused"


@dataclass(frozen=True)
class Expected:
    issuer: str
    client_id: str
    nonce: str
    allowed_domains: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str
    name: str
    claims: Mapping[str, Any]


def verify(id_token: str, jwks: Mapping[str, Any], expected: Expected, now: datetime) -> Identity:
    """The identity an ID token proves, or ``SsoRefused``."""
    try:
        keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SsoRefused(
            "The identity provider's answer is not signed with its key.", code="wrong_signature"
        ) from error
    return check_claims(token.claims, expected, now)


def check_claims(claims: Mapping[str, Any], expected: Expected, now: datetime) -> Identity:
    """The claims' checks, in the order OpenID Connect Core 3.1.3.7 gives them."""
    if claims.get("iss") != expected.issuer:
        raise SsoRefused(
            "The sign-in came from another identity provider than the one set up.",
            code="wrong_issuer",
        )
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    azp = claims.get("azp")
    if expected.client_id not in audiences or (
        (len(audiences) > 1 or azp is not None) and azp != expected.client_id
    ):
        raise SsoRefused("The sign-in was meant for another application.", code="wrong_audience")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or now.timestamp() > expires + LEEWAY.total_seconds():
        raise SsoRefused("The sign-in has expired: sign in again.", code="token_expired")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce, expected.nonce):
        raise SsoRefused(
            "The sign-in does not match this browser's attempt: sign in again.",
            code="wrong_nonce",
        )
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused("The identity provider sent no email address.", code="no_email")
    if claims.get("email_verified") is not True:
        raise SsoRefused(
            f"The identity provider has not verified the email address {email}.",
            code="email_unverified",
        )
    email = email.strip().lower()
    if email.rpartition("@")[2] not in expected.allowed_domains:
        raise SsoRefused(
            f"{email} is not in an email domain allowed to sign in here.",
            code="email_domain_not_allowed",
        )
    subject = claims.get("sub")
    name = claims.get("name")
    return Identity(
        subject=str(subject or ""),
        email=email,
        name=name.strip() if isinstance(name, str) and name.strip() else email.partition("@")[0],
        claims=claims,
    )
