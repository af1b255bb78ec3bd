"""What every portal page shares: the signed-in caller, the picked organization, rendering.

A page handler takes ``page: PageDep``; ``page.principal`` is the signed-in user as the
service layer knows callers, so every permission is checked by the service functions, once.
Routers made with ``portal_router`` check the CSRF token of every POST and turn domain
errors into an HTML page (or, for a signed-out caller, a redirect to the sign-in page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from consentline.config import Config
from consentline.domain import labels
from consentline.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from consentline.portal import csrf, nav
from consentline.portal.orgtree import TreeItem, build_tree
from consentline.portal.sessions import SESSION_USER as SESSION_USER, ServerSession
from consentline.service.access import Principal
from consentline.service.sign_in import principal_of
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, users as user_store
from consentline.store.failures import (
    DATABASE_ERRORS,
    conflicting_write,
    database_unavailable,
    value_not_storable,
)
from consentline.store.orgs import OrgRow
from consentline.store.users import UserRow
from consentline.web.errors import CONFLICT, RETRY_AFTER_SECONDS, UNAVAILABLE, status_of
from consentline.web.request import unit_of_work_for

log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def when(moment: datetime | str | None) -> str:
    """A moment as the pages show it: ``2026-01-05 09:00:00`` (UTC)."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def clock(moment: datetime) -> str:
    """A moment beside a message on a phone: ``5 Jan 09:00:05`` (UTC)."""
    return f"{moment.day} {moment:%b %H:%M:%S}"


templates.env.filters["when"] = when
templates.env.filters["clock"] = clock
templates.env.globals["labels"] = labels
SESSION_ORG = "org_id"
SESSION_FLASH = "flash"


class SignInRequired(Exception):
    """The page needs a signed-in user; the portal answers with the sign-in page."""


@dataclass
class Page:
    request: Request
    uow: UnitOfWork
    user: UserRow
    principal: Principal
    tree: list[TreeItem]
    org: OrgRow | None
    config: Config
    now: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def picked(self) -> OrgRow:
        """The organization this page acts on (there is none only before any exists)."""
        if self.org is None:
            raise NotFound("There is no organization yet: create one on the Operator page.")
        return self.org

    @property
    def root(self) -> OrgRow:
        org = self.picked
        if org.parent_id is None:
            return org
        root = org_store.get_org(self.uow.connection, org.root_id)
        assert root is not None
        return root

    def flash(self, message: str) -> None:
        self.request.session[SESSION_FLASH] = message

    def render(self, name: str, status: int = 200, **data: Any) -> HTMLResponse:
        return render(self.request, name, status, page=self, **data)

    def redirect(self, url: str, message: str | None = None) -> RedirectResponse:
        if message:
            self.flash(message)
        return RedirectResponse(url, status_code=303)

    @property
    def session_id(self) -> int | None:
        """The id of this browser's session row (to keep it when ending the others)."""
        session = self.request.session
        return session.row_id if isinstance(session, ServerSession) else None

    def wake_outbox(self) -> None:
        wake: Callable[[], None] | None = getattr(self.request.app.state, "wake_outbox", None)
        if wake is not None:
            wake()


def render(request: Request, name: str, status: int = 200, **data: Any) -> HTMLResponse:
    page: Page | None = data.get("page")
    context: dict[str, Any] = {
        "csrf_token": csrf.session_token(request.session),
        "flash": request.session.pop(SESSION_FLASH, None),
        "path": request.url.path,
        "top_nav": nav.items_for(nav.TOP, page.principal) if page else [],
        "setup_nav": nav.items_for(nav.SETUP, page.principal) if page else [],
        **data,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def _visible_tree(conn: Any, user: UserRow) -> list[TreeItem]:
    if user.is_operator:
        everything = org_store.list_orgs(conn)
        return build_tree(everything, [o.id for o in everything if o.parent_id is None])
    if user.org_id is None:
        return []
    org = org_store.get_org(conn, user.org_id)
    if org is None:
        return []
    return build_tree(org_store.list_orgs(conn, org.root_id), [org.id])


def _load(request: Request, uow: UnitOfWork) -> Page | None:
    user_id = request.session.get(SESSION_USER)
    user = user_store.get_user(uow.connection, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        request.session.pop(SESSION_USER, None)
        return None
    tree = _visible_tree(uow.connection, user)
    picked = request.session.get(SESSION_ORG)
    org = next((item.org for item in tree if item.org.id == picked), None)
    if org is None and tree:
        org = tree[0].org
    return Page(
        request=request,
        uow=uow,
        user=user,
        principal=principal_of(user),
        tree=tree,
        org=org,
        config=request.app.state.config,
        now=request.app.state.clock(),
    )


def _page(request: Request) -> Iterator[Page]:
    with unit_of_work_for(request) as uow:
        page = _load(request, uow)
        if page is None:
            raise SignInRequired
        yield page


def _maybe_page(request: Request) -> Iterator[Page | None]:
    with unit_of_work_for(request) as uow:
        yield _load(request, uow)


# Function scope: the page's transaction ends when the handler returns, before the
# response starts, where the session middleware writes the session (on SQLite, a write
# transaction still open then would block that write).
PageDep = Annotated[Page, Depends(_page, scope="function")]
MaybePageDep = Annotated[Page | None, Depends(_maybe_page, scope="function")]
"""The signed-in user's page, or None for a visitor (pages open to both)."""


def error_page(request: Request, error: DomainError) -> Response:
    status = status_of(error)
    if request.headers.get("HX-Request"):
        return render(request, "partials/error.html", status, error=error)
    return render(request, "error.html", status, error=error, code=status)


def unavailable_page(request: Request) -> Response:
    """The database is down, frozen or full: try again shortly (nothing was changed)."""
    name = "partials/error.html" if request.headers.get("HX-Request") else "unavailable.html"
    error = DomainError(UNAVAILABLE, code="database_unavailable")
    response = render(request, name, 503, error=error)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class PortalRoute(APIRoute):
    """Signed-out callers go to the sign-in page; domain errors become an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                if request.headers.get("HX-Request"):
                    return Response(status_code=401, headers={"HX-Redirect": "/login"})
                target = request.url.path if request.method == "GET" else "/"
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            except DomainError as error:
                return error_page(request, error)
            except DATABASE_ERRORS as error:
                if database_unavailable(error):
                    log.warning("database unavailable: %s", type(error).__name__)
                    return unavailable_page(request)
                if value_not_storable(error):
                    message = "A value in the form cannot be stored."
                    return error_page(request, InvalidInput(message))
                if conflicting_write(error):
                    return error_page(request, Conflict(CONFLICT))
                raise

        return route


def portal_router() -> APIRouter:
    """A router for portal pages: HTML errors, and the CSRF check on every unsafe request."""
    return APIRouter(
        route_class=PortalRoute,
        include_in_schema=False,
        dependencies=[Depends(csrf.check_csrf)],
    )


def checked(form_value: object) -> bool:
    """An HTML checkbox's value: present (any value but an explicit "false") means on."""
    return form_value is not None and str(form_value).lower() not in ("", "false", "0", "off")
