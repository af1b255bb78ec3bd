"""Single sign-on: from the sign-in page to the organization's identity provider and back.

``POST /login/sso`` picks the provider by the domain of the email typed (``GET
/login/sso/org/{id}`` by organization, a link an administrator can hand out), and sends
the person there with an authorization request (code flow, PKCE, a nonce, a state). The
provider sends them back to ``/login/sso/callback``; the code is exchanged for an ID token,
which is checked before anyone is signed in. Every refusal is a page that says why, and
changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from consentline.domain.errors import DomainError
from consentline.portal.auth import establish_session, safe_next
from consentline.portal.web import portal_router, render
from consentline.providers import oidc
from consentline.service import id_token, sso as sso_service
from consentline.service.id_token import SsoRefused
from consentline.service.sso_sign_in import sign_in_sso
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import sso as sso_store
from consentline.store.sso import SsoRow
from consentline.web.errors import status_of

log = logging.getLogger(__name__)
router = portal_router()
CALLBACK = "/login/sso/callback"
ATTEMPT_LIFETIME = timedelta(minutes=10)
_ATTEMPT = "sso_attempt"


def redirect_uri(request: Request) -> str:
    """The callback as the provider must know it (register it there)."""
    base = request.app.state.config.public_url or str(request.base_url)
    return base.rstrip("/") + CALLBACK


def refusal(request: Request, error: DomainError, status: int | None = None) -> Response:
    return render(request, "sso_refused.html", status or status_of(error), error=error.message)


def _go(
    request: Request, provider: SsoRow, login_hint: str, next_path: str, *, from_form: bool
) -> Response:
    try:
        attempt = oidc.begin(provider, redirect_uri(request), login_hint)
    except SsoRefused as error:
        return refusal(request, error, 502)
    now: datetime = request.app.state.clock()
    request.session[_ATTEMPT] = {
        "org": provider.root_id,
        "state": attempt.state,
        "nonce": attempt.nonce,
        "verifier": attempt.code_verifier,
        "next": next_path,
        "since": now.isoformat(),
    }
    if from_form:
        # The portal's CSP allows forms to go to this site only ("form-action 'self'"), and
        # browsers hold a form's redirects to that too: a page moves on to the provider.
        return render(request, "sso_redirect.html", url=attempt.url, label=provider.label)
    return RedirectResponse(attempt.url, status_code=303)


@router.post("/login/sso")
def start_by_email(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form()] = "/try",
) -> Response:
    with UnitOfWork(request.app.state.engine, read_only=True) as uow:
        provider = sso_service.provider_for_email(uow, email)
    if provider is None:
        return render(
            request,
            "login.html",
            404,
            next=safe_next(next),
            email=email,
            error="Single sign-on is not set up for that email's domain: sign in with your "
            "password.",
        )
    return _go(request, provider, email.strip().lower(), safe_next(next), from_form=True)


@router.get("/login/sso/org/{org_id}")
def start_by_org(request: Request, org_id: int, next: str | None = None) -> Response:
    with UnitOfWork(request.app.state.engine, read_only=True) as uow:
        provider = sso_store.get_provider(uow.connection, org_id) if 0 < org_id < 2**63 else None
    if provider is None:
        return refusal(
            request, SsoRefused("Single sign-on is not set up here.", code="no_sso"), 404
        )
    return _go(request, provider, "", safe_next(next), from_form=False)


@router.get(CALLBACK)
def callback(
    request: Request,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    attempt = request.session.pop(_ATTEMPT, None)
    now: datetime = request.app.state.clock()
    try:
        if (
            not isinstance(attempt, dict)
            or now - datetime.fromisoformat(attempt["since"]) > ATTEMPT_LIFETIME
        ):
            raise SsoRefused(
                "This sign-in was not started here, or took too long: sign in again.",
                code="no_attempt",
            )
        if not state or state != attempt["state"]:
            raise SsoRefused(
                "The answer does not belong to this browser's sign-in: sign in again.",
                code="wrong_state",
            )
        if error:
            raise SsoRefused(
                f"The identity provider refused the sign-in ({error[:60]}"
                f"{': ' + error_description[:200] if error_description else ''}).",
                code="provider_refused",
            )
        engine = request.app.state.engine
        with UnitOfWork(engine, read_only=True) as uow:
            provider = sso_store.get_provider(uow.connection, int(attempt["org"]))
        if provider is None:
            raise SsoRefused("Single sign-on is not set up any more.", code="no_sso")
        # Outside any write transaction: the provider may take seconds to answer.
        tokens = oidc.finish(provider, redirect_uri(request), code, attempt["verifier"])
        expected = id_token.Expected(
            provider.issuer, provider.client_id, attempt["nonce"], provider.allowed_domains
        )
        identity = id_token.verify(tokens.id_token, tokens.jwks, expected, now)
        with UnitOfWork(engine) as uow:
            signed_in = sign_in_sso(uow, provider, identity, now)
    except DomainError as refused:
        org = attempt.get("org") if isinstance(attempt, dict) else None
        log.info("single sign-on refused", extra={"org_id": org, "reason": refused.code})
        return refusal(request, refused)
    establish_session(request, signed_in.user_id)
    return RedirectResponse(safe_next(attempt["next"]), status_code=303)
