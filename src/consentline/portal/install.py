"""Mount the portal on the application: session cookies, security headers, assets, pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from consentline.config import Config
from consentline.portal import (
    auth,
    consents,
    conversations,
    delivery,
    demo_phones,
    history,
    home,
    operator,
    picker,
    reports,
    settings,
    templates_page,
    users,
)
from consentline.portal.security import SecurityHeadersMiddleware, session_secret

SESSION_COOKIE = "consentline_session"
SESSION_MAX_AGE = 8 * 3600
ROUTERS = (
    home.router,
    auth.router,
    picker.router,
    settings.router,
    templates_page.router,
    history.router,
    users.router,
    delivery.router,
    conversations.router,
    consents.router,
    demo_phones.router,
    operator.router,
    reports.router,
)


def install(app: FastAPI, config: Config) -> None:
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(config),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=config.environment == "production",
    )
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    for router in ROUTERS:
        app.include_router(router)
