"""Request and response models: ``XCreate`` in, ``XPublic`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from consentline.domain.messages import Channel
from consentline.domain.text import refusal
from consentline.service.access import MAX_ID

PrivilegeName = Literal["setup", "reports", "messaging"]
# Ids are 64-bit in the database; anything larger is refused with 422, not a server error.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
OrgIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The organization's id.")]
ChannelName = Literal["sms", "whatsapp"]


def _one_line(value: str) -> str:
    reason = refusal(value, single_line=True)
    if reason:
        raise ValueError(reason)
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
"""Names, numbers and ids: one line, no control characters (they reach headers and logs)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrgCreate(Strict):
    name: OneLine = Field(min_length=1, max_length=200)
    parent_id: RecordId | None = None


class OrgPublic(BaseModel):
    id: int
    name: str
    parent_id: int | None
    root_id: int


class EntitlementsUpdate(Strict):
    sms_optin: bool


class EntitlementsPublic(BaseModel):
    sms_optin: bool


class ApiKeyCreate(Strict):
    name: OneLine = Field(min_length=1, max_length=200)
    privileges: list[PrivilegeName] = Field(min_length=1)
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working; none: until revoked."
    )


class ApiKeyPublic(BaseModel):
    """A key as lists show it: never the secret, only its first characters."""

    id: int
    name: str
    prefix: str | None
    privileges: list[str]
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown once; only a hash is kept.")


class UserCreate(Strict):
    email: OneLine = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: OneLine = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=1000)
    privileges: list[PrivilegeName] = []


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    privileges: list[str]


class UserDetail(UserPublic):
    """A user as lists and updates show them: whether they may sign in, and where."""

    active: bool
    org_id: int


class LineCreate(Strict):
    number: OneLine = Field(max_length=40)
    employee_name: OneLine = Field(min_length=1, max_length=200)


class LineUpdate(Strict):
    """Rename the employee, move the line to another organization of the same enterprise,
    retire it (it refuses new messages, code ``line_retired``; its archive stays) or not."""

    employee_name: str | None = Field(default=None, min_length=1, max_length=200)
    org_id: RecordId | None = None
    retired: bool | None = None


class LinePublic(BaseModel):
    id: int
    number: str
    employee_name: str
    org_id: int


class LineDetail(LinePublic):
    retired: bool


class LinePage(BaseModel):
    items: list[LineDetail]


class SmsOptinUpdate(Strict):
    entitled: bool | None = None
    enabled: bool | None = None
    mode: Literal["consent", "disclaimer"] | None = None


class GroupMessagingUpdate(Strict):
    enabled: bool | None = None


class KeywordsUpdate(Strict):
    opt_in: OneLine | None = Field(default=None, max_length=40)
    opt_out: OneLine | None = Field(default=None, max_length=40)
    opt_in_synonyms: list[OneLine] | None = Field(default=None, max_length=50)
    opt_out_synonyms: list[OneLine] | None = Field(default=None, max_length=50)
    help: OneLine | None = Field(default=None, max_length=40)
    help_synonyms: list[OneLine] | None = Field(default=None, max_length=50)


class LocalizedUpdate(Strict):
    keywords: KeywordsUpdate | None = None
    templates: dict[str, str] | None = None


class SettingsUpdate(Strict):
    sms_optin: SmsOptinUpdate | None = None
    group_messaging: GroupMessagingUpdate | None = None
    keywords: KeywordsUpdate | None = None
    templates: dict[str, str] | None = None
    hold_max_age: int | None = None
    request_resend_interval: int | None = None
    templates_editable: bool | None = None
    languages: list[str] | None = Field(
        default=None, max_length=10, description="Enabled languages, the default first."
    )
    localized: dict[str, LocalizedUpdate] | None = Field(
        default=None, description="Keywords and templates of languages other than English."
    )
    support_contact: str | None = Field(
        default=None, description="What the help template's <Support Contact> says."
    )
    consent_scope: str | None = Field(
        default=None, description="line, organization or organization_all_channels."
    )


class SmsOptinPublic(BaseModel):
    entitled: bool
    enabled: bool
    mode: Literal["consent", "disclaimer"]


class GroupMessagingPublic(BaseModel):
    enabled: bool


class KeywordsPublic(BaseModel):
    opt_in: str
    opt_out: str
    opt_in_synonyms: list[str]
    opt_out_synonyms: list[str]
    help: str
    help_synonyms: list[str]


class LocalizedPublic(BaseModel):
    keywords: KeywordsPublic
    templates: dict[str, str]


class OrgRef(BaseModel):
    id: int
    name: str


class SettingsPublic(BaseModel):
    sms_optin: SmsOptinPublic
    group_messaging: GroupMessagingPublic
    keywords: KeywordsPublic
    templates: dict[str, str]
    hold_max_age: int
    request_resend_interval: int
    templates_editable: bool = True
    languages: list[str]
    localized: dict[str, LocalizedPublic]
    support_contact: str
    consent_scope: Literal["line", "organization", "organization_all_channels"]
    inherited_from: OrgRef | None = None


class OutboundCreate(Strict):
    line: RecordId | OneLine = Field(description="The line's id or its number.")
    to: OneLine | list[OneLine] = Field(
        description="A contact's number, or a list for a group send."
    )
    body: str
    channel: ChannelName = Channel.SMS.value


class InboundCreate(Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: OneLine = Field(alias="from", description="The contact's number.")
    line: RecordId | OneLine = Field(description="The line's id or its number.")
    body: str
    channel: ChannelName = Channel.SMS.value
    provider_message_id: OneLine | None = Field(default=None, min_length=1, max_length=200)


class BlockedByPublic(BaseModel):
    line: str
    channel: str
    decided_at: str


class LanguageUpdate(Strict):
    line: RecordId | str = Field(description="The line's id or its number.")
    contact: str = Field(max_length=40, description="The contact's number.")
    channel: ChannelName = Channel.SMS.value
    language: str = Field(max_length=10, description="One of the organization's languages.")


class ConsentPublic(BaseModel):
    state: str
    mode: str | None
    initiated_by: str | None
    requested_at: str | None
    decided_at: str | None
    evidence_message_id: int | None
    request_text: str | None
    blocked_by: BlockedByPublic | None = Field(
        default=None, description="Another line's opt-out that blocks sends here (consent_scope)."
    )


class RecipientPublic(BaseModel):
    contact: str
    status: str
    message_id: int
    consent: ConsentPublic


class MessageResultPublic(BaseModel):
    id: int | str
    status: str
    reason: str | None = None
    consent: ConsentPublic | None = None
    recipients: list[RecipientPublic] | None = None


class MessagePublic(BaseModel):
    id: int
    sender: str
    recipient: str
    kind: str
    template: str | None
    body: str
    status: str | None
    reason: str | None
    created_at: str | None


class ConversationPublic(BaseModel):
    line: str
    contact: str
    channel: str
    language: str | None = None
    consent: ConsentPublic
    messages: list[MessagePublic]


class SettingChangePublic(BaseModel):
    setting: str
    actor: str
    old_value: object
    new_value: object
    changed_at: str


class AuditRecordPublic(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


class AuditLogPage(BaseModel):
    items: list[AuditRecordPublic]
    total: int
    page: int
    page_size: int
