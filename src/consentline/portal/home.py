"""The landing page: what this server is and where to go next."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from consentline.store import orgs as org_store

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        roots = [org for org in org_store.list_orgs(conn) if org.parent_id is None]
        lines = {org.id: org_store.list_lines(conn, org.id) for org in roots}
    return templates.TemplateResponse(request, "home.html", {"roots": roots, "lines": lines})
