"""Request and response models of carrier settings and the outbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from consentline.domain.timefmt import iso_z
from consentline.service.carriers import ProvidersShown
from consentline.service.outbox import OutboxEntry


class TwilioUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_sid: str | None = None
    auth_token: str | None = None
    lines: list[str] | None = None


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    language: str
    parameters: list[Literal["employee_name", "company_name"]] = []


class WhatsAppUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    lines: dict[str, str] | None = None
    optin_template: TemplateUpdate | None = None


class EmployeeAppUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    signing_secret: str | None = None


class ProvidersUpdate(BaseModel):
    """Set only what is given; a secret given as ``null`` is cleared."""

    model_config = ConfigDict(extra="forbid")
    twilio: TwilioUpdate | None = None
    whatsapp: WhatsAppUpdate | None = None
    employee_app: EmployeeAppUpdate | None = None


class TwilioPublic(BaseModel):
    account_sid: str | None
    lines: list[str] = Field(description="The lines whose SMS go through Twilio.")
    auth_token_set: bool


class OptInTemplatePublic(BaseModel):
    name: str
    language: str
    parameters: list[str]


class WhatsAppPublic(BaseModel):
    lines: dict[str, str] = Field(description="Each WhatsApp line and its phone number id.")
    optin_template: OptInTemplatePublic | None
    access_token_set: bool
    app_secret_set: bool
    verify_token_set: bool


class EmployeeAppPublic(BaseModel):
    url: str | None
    signing_secret_set: bool


class RootRef(BaseModel):
    id: int


class ProvidersPublic(BaseModel):
    """Absent ``inherited_from``: the organization is a root and these are its own."""

    twilio: TwilioPublic
    whatsapp: WhatsAppPublic
    employee_app: EmployeeAppPublic
    inherited_from: RootRef | None = None

    @classmethod
    def of(cls, shown: ProvidersShown) -> ProvidersPublic:
        template = shown.whatsapp.optin_template
        fields = {
            "twilio": TwilioPublic.model_validate(shown.twilio, from_attributes=True),
            "whatsapp": WhatsAppPublic(
                lines=shown.whatsapp.lines,
                optin_template=(
                    OptInTemplatePublic.model_validate(template, from_attributes=True)
                    if template
                    else None
                ),
                access_token_set=shown.whatsapp.access_token_set,
                app_secret_set=shown.whatsapp.app_secret_set,
                verify_token_set=shown.whatsapp.verify_token_set,
            ),
            "employee_app": EmployeeAppPublic.model_validate(
                shown.employee_app, from_attributes=True
            ),
        }
        if shown.inherited_from is not None:  # set only here: absent on a root
            return cls(**fields, inherited_from=RootRef(id=shown.inherited_from))
        return cls(**fields)


class OutboxItemPublic(BaseModel):
    id: int
    message_id: int
    destination: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    sent_at: str | None
    provider: str | None
    provider_message_id: str | None
    delivery_status: str | None
    delivery_error: str | None
    created_at: str
    channel: str

    @classmethod
    def of(cls, entry: OutboxEntry) -> OutboxItemPublic:
        return cls(
            id=entry.id,
            message_id=entry.message_id,
            destination=entry.destination,
            status=entry.status,
            attempts=entry.attempts,
            next_attempt_at=iso_z(entry.next_attempt_at),
            last_error=entry.last_error,
            sent_at=iso_z(entry.sent_at),
            provider=entry.provider,
            provider_message_id=entry.provider_message_id,
            delivery_status=entry.delivery_status,
            delivery_error=entry.delivery_error,
            created_at=iso_z(entry.created_at),
            channel=entry.channel,
        )


class OutboxPage(BaseModel):
    items: list[OutboxItemPublic] = Field(description="Newest first, at most 200.")


class RetriedPublic(BaseModel):
    id: int
    status: Literal["pending"]
