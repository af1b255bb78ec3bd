"""Portal sessions kept on the server: the cookie carries only an opaque random id.

``request.session`` stays a dict for the pages; this middleware loads it from the
``portal_sessions`` row the cookie names and writes it back before the response starts.
The cookie is HttpOnly and SameSite=Lax, and Secure in production.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentline.config import Config
from consentline.service import sessions as session_service
from consentline.service.sessions import Loaded, Timeouts
from consentline.store.failures import database_unavailable

SESSION_COOKIE = "consentline_session"
SESSION_USER = "user_id"
# Paths that never use the session: no database read for them.
NO_SESSION = (
    "/api/",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/webhooks/",
    "/metrics",
    "/healthz",
    "/static/",
)


class ServerSession(dict[str, Any]):
    """A dict that notes whether it was changed, and can be renewed (a new id)."""

    def __init__(self, loaded: Loaded | None) -> None:
        super().__init__(loaded.data if loaded else {})
        if loaded and loaded.user_id is not None:
            super().__setitem__(SESSION_USER, loaded.user_id)
        self.loaded = loaded
        self.changed = False
        self.renewed = False

    @property
    def row_id(self) -> int | None:
        """The id of this session's row (None before it is first saved)."""
        return self.loaded.id if self.loaded and not self.renewed else None

    def renew(self) -> None:
        """End this session on the server; what is in it now goes to a new one."""
        self.renewed = True
        self.changed = True

    def __setitem__(self, key: str, value: Any) -> None:
        self.changed = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.changed = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.changed = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.changed = True
        return super().popitem()

    def clear(self) -> None:
        self.changed = True
        super().clear()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.changed = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.changed = True
        super().update(*args, **kwargs)


class ServerSessionMiddleware:
    def __init__(
        self, app: ASGIApp, config: Config, unavailable: Callable[[Request], Response]
    ) -> None:
        self.app = app
        self.unavailable = unavailable  # the page that says the database cannot be reached
        self.timeouts = Timeouts(
            idle=timedelta(minutes=config.session_idle_minutes),
            absolute=timedelta(hours=config.session_absolute_hours),
        )
        self.secure = config.environment == "production"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(NO_SESSION):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        engine, clock = state.engine, state.clock
        connection = HTTPConnection(scope)
        token = connection.cookies.get(SESSION_COOKIE)
        loaded = None
        if token:
            try:
                loaded = await anyio.to_thread.run_sync(
                    session_service.load, engine, token, clock(), self.timeouts
                )
            except Exception as error:
                if not database_unavailable(error):
                    raise
                # 503, and the browser keeps its cookie: the session is still good.
                scope["session"] = ServerSession(None)
                await self.unavailable(Request(scope))(scope, receive, send)
                return
        session = ServerSession(loaded)
        scope["session"] = session
        client = connection.client.host if connection.client else None
        user_agent = (connection.headers.get("user-agent") or "")[:200] or None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                data = dict(session)
                user_id = data.pop(SESSION_USER, None)

                def persist() -> session_service.Saved:
                    return session_service.save(
                        engine,
                        loaded=loaded,
                        user_id=user_id if isinstance(user_id, int) else None,
                        data=data,
                        changed=session.changed,
                        renew=session.renewed,
                        now=clock(),
                        timeouts=self.timeouts,
                        client=client,
                        user_agent=user_agent,
                    )

                try:
                    saved = (
                        await anyio.to_thread.run_sync(persist)
                        if message["status"] != 503
                        else None
                    )
                except Exception as error:
                    if not database_unavailable(error):
                        raise
                    saved = None
                if saved is None:
                    await send(message)
                    return
                headers = MutableHeaders(scope=message)
                if saved.token is not None:
                    headers.append("set-cookie", self._cookie(saved.token))
                elif saved.ended or (token and loaded is None):
                    headers.append("set-cookie", self._cookie("", max_age=0))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, value: str, *, max_age: int | None = None) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[SESSION_COOKIE] = value
        morsel = cookie[SESSION_COOKIE]
        morsel["path"] = "/"
        morsel["max-age"] = str(
            int(self.timeouts.absolute.total_seconds()) if max_age is None else max_age
        )
        morsel["httponly"] = True
        morsel["samesite"] = "lax"
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString()
