"""Carrier webhooks: Twilio (form-encoded, ``X-Twilio-Signature``) and the WhatsApp Cloud
API (``GET`` handshake, ``POST`` JSON with ``X-Hub-Signature-256``). SPEC §7."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from consentline.api.deps import UowDep, wake_outbox
from consentline.api.errors import ERROR_RESPONSES
from consentline.config import Config
from consentline.service import webhooks, whatsapp_webhook
from consentline.service.access import MAX_ID
from consentline.service.unit_of_work import UnitsOfWork
from consentline.service.webhooks import Form

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=ERROR_RESPONSES)


def _signed_url(request: Request) -> str:
    """The URL Twilio signed: the configured public address when there is one (behind a
    proxy the request's own URL may differ in scheme or host)."""
    config: Config = request.app.state.config
    if not config.public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return config.public_url.rstrip("/") + request.url.path + query


async def _form(request: Request) -> Form:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return Form(parse_qsl(raw, keep_blank_values=True))


@router.post("/twilio", response_class=Response)
async def twilio_inbound(
    request: Request,
    uow: UowDep,
    signature: Annotated[str, Header(alias="X-Twilio-Signature")] = "",
) -> Response:
    """An SMS to one of the lines served by Twilio; answers empty TwiML."""
    state = request.app.state
    twiml = await run_in_threadpool(
        webhooks.twilio_inbound,
        uow,
        _signed_url(request),
        await _form(request),
        signature,
        state.clock(),
        state.config.default_region,
    )
    wake_outbox(request)
    return Response(twiml, media_type="application/xml")


@router.post("/twilio/status", status_code=204, response_class=Response)
async def twilio_status(
    request: Request,
    uow: UowDep,
    outbox: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The outbox item (set by us).")
    ] = None,
    signature: Annotated[str, Header(alias="X-Twilio-Signature")] = "",
) -> Response:
    """Twilio's delivery report for a message ConsentLine sent."""
    state = request.app.state
    await run_in_threadpool(
        webhooks.twilio_status,
        uow,
        _signed_url(request),
        await _form(request),
        signature,
        outbox,
        state.clock(),
        state.config.default_region,
    )
    return Response(status_code=204)


@router.get(
    "/whatsapp",
    response_class=Response,
    responses={
        200: {
            "description": "The ``hub.challenge``, echoed.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def whatsapp_handshake(request: Request, uow: UowDep) -> Response:
    """Meta's verification request: ``hub.mode``, ``hub.verify_token``, ``hub.challenge``."""
    params = dict(request.query_params)
    challenge = await run_in_threadpool(whatsapp_webhook.whatsapp_handshake, uow, params)
    return Response(challenge, media_type="text/plain")


@router.post("/whatsapp")
async def whatsapp_notification(
    request: Request,
    signature: Annotated[str, Header(alias="X-Hub-Signature-256")] = "",
) -> dict[str, str]:
    """Messages and delivery statuses from the Cloud API, signed with the app secret."""
    state = request.app.state
    await run_in_threadpool(
        whatsapp_webhook.whatsapp_notification,
        UnitsOfWork(state.engine, source="whatsapp"),
        await request.body(),
        signature,
        state.clock(),
        state.config.default_region,
    )
    wake_outbox(request)
    return {"status": "ok"}
