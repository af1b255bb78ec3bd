"""Request and response models of consent operations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from consentline.api.schemas import ChannelName, ConsentPublic, Strict
from consentline.domain.messages import Channel

MethodName = Literal["phone_call", "branch", "email", "letter", "web_form"]


class ConsentDecisionCreate(Strict):
    line: str | None = Field(
        default=None, max_length=40, description="A line's number or id; none for every line."
    )
    contact: str = Field(max_length=40)
    channel: ChannelName = Channel.SMS.value
    state: Literal["opted_out", "opted_in"]
    method: MethodName
    note: str = Field(min_length=1, max_length=2000)
    evidence_url: str | None = Field(default=None, max_length=2000)
    notify_contact: bool = False


class LineConsentPublic(BaseModel):
    line: str
    consent: ConsentPublic


class ConsentDecisionPublic(BaseModel):
    org_id: int
    contact: str
    channel: str
    state: str
    source: str
    recorded_by: str
    method: str
    note: str
    evidence_url: str | None
    notify_contact: bool
    decided_at: str | None
    records: list[LineConsentPublic]


class ConsentRequestPending(BaseModel):
    request_id: int
    status: str


class ConsentRequestPublic(BaseModel):
    request_id: int
    org_id: int
    line_id: int | None
    contact: str
    channel: str
    state: str
    method: str
    note: str
    evidence_url: str | None
    status: str
    requested_by: str
    requested_at: str | None
    decided_by: str | None
    decided_at: str | None
    records: list[LineConsentPublic] | None = None


class RowProblemPublic(BaseModel):
    row: int
    reason: str


class ImportResultPublic(BaseModel):
    applied: int
    unchanged: int
    quarantined: list[RowProblemPublic]
    invalid: list[RowProblemPublic]
    dry_run: bool


class DossierKeyPublic(BaseModel):
    public_key: str = Field(description="The raw Ed25519 public key, base64.")
    key_id: str = Field(description="Its fingerprint, as dossiers name their signer.")
