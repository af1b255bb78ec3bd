"""Mount the portal on the application: session cookies, security headers, assets, pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from consentline.config import Config
from consentline.portal import (
    account,
    account_security,
    api_keys,
    audit_log,
    auth,
    consents,
    conversations,
    delivery,
    demo_phones,
    errors,
    history,
    home,
    lines_page,
    operator,
    password_reset,
    picker,
    reports,
    retention_page,
    revocations,
    settings,
    sign_in_settings,
    sso,
    templates_page,
    two_factor,
    users,
)
from consentline.portal.security import SecurityHeadersMiddleware
from consentline.portal.sessions import ServerSessionMiddleware
from consentline.portal.web import unavailable_page

ROUTERS = (
    home.router,
    auth.router,
    two_factor.router,
    sso.router,
    sign_in_settings.router,
    account_security.router,
    picker.router,
    settings.router,
    templates_page.router,
    history.router,
    users.router,
    api_keys.router,
    account.router,
    password_reset.router,
    delivery.router,
    conversations.router,
    consents.router,
    demo_phones.router,
    operator.router,
    reports.router,
    audit_log.router,
    lines_page.router,
    retention_page.router,
    revocations.router,
)


def install(app: FastAPI, config: Config) -> None:
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServerSessionMiddleware, config=config, unavailable=unavailable_page)
    errors.install(app)
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    for router in ROUTERS:
        app.include_router(router)
