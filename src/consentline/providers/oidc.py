"""Talking to an OpenID Connect provider: discovery, the authorization URL with PKCE, the
code exchange, and its signing keys. Authlib is the OAuth 2.0 client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error

from consentline.service.id_token import SsoRefused
from consentline.store.sso import SsoRow

SCOPE = "openid email profile"
TIMEOUT = 10.0


@dataclass(frozen=True)
class Attempt:
    """What this server remembers between sending a person to the provider and their
    return: kept in the signed session cookie (the verifier and nonce are of no use to
    anyone but this browser)."""

    state: str
    nonce: str
    code_verifier: str
    url: str


@dataclass(frozen=True)
class Metadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _unreachable(error: Exception) -> SsoRefused:
    return SsoRefused(
        "The identity provider could not be reached or answered wrongly; try again later.",
        code="provider_unavailable",
    )


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(error) from error
    if not isinstance(body, dict):
        raise _unreachable(ValueError("not an object"))
    return body


def discover(provider: SsoRow) -> Metadata:
    """The provider's endpoints, from its discovery document (which must name its issuer)."""
    document = _get_json(provider.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if document.get("issuer") != provider.issuer:
        raise SsoRefused(
            "The identity provider names another issuer than the one set up.",
            code="wrong_issuer",
        )
    try:
        return Metadata(
            str(document["authorization_endpoint"]),
            str(document["token_endpoint"]),
            str(document["jwks_uri"]),
        )
    except KeyError as error:
        raise _unreachable(error) from error


def _client(provider: SsoRow, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def begin(provider: SsoRow, redirect_uri: str, login_hint: str) -> Attempt:
    """Where to send the person: the authorization request, with PKCE and a nonce."""
    metadata = discover(provider)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    with _client(provider, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata.authorization_endpoint,
            state=state,
            code_verifier=verifier,
            nonce=nonce,
            login_hint=login_hint,
        )
    return Attempt(state, nonce, verifier, url)


@dataclass(frozen=True)
class Tokens:
    id_token: str
    jwks: dict[str, Any]


def finish(provider: SsoRow, redirect_uri: str, code: str, code_verifier: str) -> Tokens:
    """Exchange the authorization code (with the PKCE verifier) for the ID token."""
    metadata = discover(provider)
    with _client(provider, redirect_uri) as client:
        try:
            token = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=TIMEOUT,
            )
        except (OAuth2Error, requests.RequestException, ValueError) as error:
            raise SsoRefused(
                "The identity provider did not accept the sign-in; sign in again.",
                code="code_refused",
            ) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoRefused("The identity provider sent no ID token.", code="no_id_token")
    return Tokens(id_token, _get_json(metadata.jwks_uri))
