"""Mount the portal on the application: session cookies, security headers, assets, pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from consentline.config import Config
from consentline.portal import (
    account,
    api_keys,
    auth,
    conversations,
    delivery,
    demo_phones,
    history,
    home,
    operator,
    password_reset,
    picker,
    reports,
    settings,
    templates_page,
    users,
)
from consentline.portal.security import SecurityHeadersMiddleware
from consentline.portal.sessions import ServerSessionMiddleware

ROUTERS = (
    home.router,
    auth.router,
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
    demo_phones.router,
    operator.router,
    reports.router,
)


def install(app: FastAPI, config: Config) -> None:
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServerSessionMiddleware, config=config)
    static = Path(__file__).with_name("static")
    app.mount("/static", StaticFiles(directory=static), name="static")
    for router in ROUTERS:
        app.include_router(router)
