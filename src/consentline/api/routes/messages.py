"""Messages in both directions, and the conversation view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from consentline.api.deps import (
    ConfigDep,
    NowDep,
    PrincipalDep,
    RequireMessaging,
    RequireMessagingOrReports,
    UowDep,
    WakeOutbox,
)
from consentline.api.errors import ERROR_RESPONSES
from consentline.api.schemas import (
    ChannelName,
    ConversationPublic,
    InboundCreate,
    LanguageUpdate,
    MessageResultPublic,
    OutboundCreate,
)
from consentline.domain.messages import Channel
from consentline.observability import DECISIONS
from consentline.service import contact_language, messaging

router = APIRouter(prefix="/api/v1", tags=["messages"], responses=ERROR_RESPONSES)


@router.post(
    "/messages/outbound",
    status_code=201,
    response_model=MessageResultPublic,
    response_model_exclude_unset=True,
    dependencies=[RequireMessaging, WakeOutbox],
)
def send_outbound(
    body: OutboundCreate, uow: UowDep, principal: PrincipalDep, now: NowDep, config: ConfigDep
) -> JSONResponse:
    """An employee's message; ``to`` a list is a group send."""
    result = messaging.send_outbound(
        uow,
        principal,
        line=body.line,
        to=body.to,
        body=body.body,
        channel=Channel(body.channel),
        now=now,
        default_region=config.default_region,
    )
    DECISIONS.labels("outbound", result.status).inc()
    return _created(result.as_json())


@router.post(
    "/messages/inbound",
    status_code=201,
    response_model=MessageResultPublic,
    response_model_exclude_unset=True,
    responses={200: {"model": MessageResultPublic, "description": "A repeated message"}},
    dependencies=[RequireMessaging, WakeOutbox],
)
def receive_inbound(
    body: InboundCreate, uow: UowDep, principal: PrincipalDep, now: NowDep, config: ConfigDep
) -> Any:
    """A contact's message; a repeated ``provider_message_id`` answers 200 with the first
    result and changes nothing."""
    result = messaging.receive_inbound(
        uow,
        principal,
        line=body.line,
        sender=body.from_,
        body=body.body,
        channel=Channel(body.channel),
        now=now,
        provider_message_id=body.provider_message_id,
        default_region=config.default_region,
    )
    if result.replayed:
        return JSONResponse(result.as_json(), status_code=200)
    DECISIONS.labels("inbound", result.status).inc()
    return _created(result.as_json())


def _created(body: dict[str, Any]) -> JSONResponse:
    # The body is built by the service in the shape of MessageResultPublic (the API
    # contract tests check it); sent as is, FastAPI skips a second validation of it on
    # the thread pool, a hop that costs more than the validation.
    return JSONResponse(body, status_code=201)


@router.get(
    "/conversations", response_model=ConversationPublic, dependencies=[RequireMessagingOrReports]
)
def get_conversation(
    uow: UowDep,
    principal: PrincipalDep,
    config: ConfigDep,
    line: Annotated[
        str, Query(description="The line's number, or its id (a number of up to 6 digits).")
    ],
    contact: Annotated[str, Query(description="The contact's number.")],
    channel: Annotated[ChannelName, Query()] = "sms",
) -> dict[str, Any]:
    """The consent record and every message of one conversation, oldest first."""
    return messaging.conversation_view(
        uow,
        principal,
        line=messaging.line_ref(line),
        contact=contact,
        channel=Channel(channel),
        default_region=config.default_region,
    )


@router.put(
    "/conversations/language",
    response_model=ConversationPublic,
    dependencies=[RequireMessaging],
)
def set_conversation_language(
    body: LanguageUpdate, uow: UowDep, principal: PrincipalDep, now: NowDep, config: ConfigDep
) -> dict[str, Any]:
    """Staff set the contact's language for this conversation's auto messages; the
    contact's next keyword in another language changes it again."""
    line = messaging.line_ref(body.line) if isinstance(body.line, str) else body.line
    return contact_language.set_language(
        uow,
        principal,
        line=line,
        contact=body.contact,
        channel=Channel(body.channel),
        language=body.language,
        now=now,
        default_region=config.default_region,
    )
