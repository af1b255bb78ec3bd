"""The landing page: what this server is, and where a new user starts (the two phones)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from consentline.portal.web import SESSION_USER, portal_router, render

router = portal_router()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    signed_in = isinstance(request.session.get(SESSION_USER), int)
    return render(request, "home.html", signed_in=signed_in)
