"""The start page: for a visitor, what this server is; for a signed-in user, the pages their
privileges open, the first of them leading (the landing page after sign-in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse

from consentline.portal import nav
from consentline.portal.web import MaybePageDep, portal_router, render

router = portal_router()


@dataclass(frozen=True)
class Tile:
    title: str
    href: str
    text: str


# What each top-bar page is for; a page another module registers gets a plain tile.
PURPOSES = {
    "/try": "Text as the guest and the employee, and watch the opt-in policy work both ways.",
    "/conversations": "Search conversations by contact, employee, state, date or words; "
    "see each as both sides saw it, with the consent evidence.",
    "/reports": "The SMS Opt-In Report: who was asked, who agreed or declined, and the proof.",
    "/setup/feature-settings": "SMS Opt-in, templates, keywords, users and the settings "
    "history of your organization.",
    "/operator/orgs": "Organizations and their SMS Opt-in entitlement.",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, page: MaybePageDep) -> HTMLResponse:
    if page is None:
        return render(request, "home.html", signed_in=False)
    tiles = [
        Tile(item.label, item.href, PURPOSES.get(item.href, f"Open {item.label}."))
        for item in nav.items_for(nav.TOP, page.principal)
    ]
    return page.render("home.html", signed_in=True, tiles=tiles)


FAVICON = Path(__file__).with_name("static") / "favicon.svg"


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """Browsers ask for it at the root whatever the page links: the portal's mark."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )
