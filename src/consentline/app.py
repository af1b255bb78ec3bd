"""The FastAPI application: API routes, pages, and the outbox worker's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from consentline.api import errors
from consentline.api.routes import messages, orgs, simulator
from consentline.config import Config
from consentline.portal import home
from consentline.providers.outbox import OutboxWorker, Provider
from consentline.providers.simulator import SimulatorProvider
from consentline.service.expiry import expire_overdue
from consentline.store.db import make_engine, migrate

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_providers() -> dict[str, Provider]:
    simulator = SimulatorProvider()
    return {"contact": simulator, "employee": simulator}


def create_app(
    config: Config,
    *,
    engine: Engine | None = None,
    clock: Clock = utc_now,
    run_worker: bool | None = None,
) -> FastAPI:
    """The application on an engine whose schema is current (see ``build_app``)."""
    engine = engine or make_engine(config.database_url)
    with_worker = config.run_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if with_worker:
            worker = OutboxWorker(
                engine,
                default_providers(),
                clock,
                interval=config.outbox_interval,
                housekeeping=lambda: expire_overdue(engine, clock),
            )
            app.state.wake_outbox = worker.wake
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="ConsentLine",
        version="1",
        summary="Opt-in policy gateway for business texting over SMS and WhatsApp.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.clock = clock
    app.state.config = config
    errors.install(app)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Alive (does no database work)."""
        return {"status": "ok"}

    app.include_router(orgs.router)
    app.include_router(messages.router)
    app.include_router(simulator.router)
    app.include_router(home.router)
    return app


def build_app(config: Config) -> FastAPI:
    """Engine, migrations, application: what ``consentline serve`` runs."""
    engine = make_engine(config.database_url)
    migrate(engine)
    return create_app(config, engine=engine)
