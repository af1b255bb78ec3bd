"""Response models of the reports' JSON pages (their CSV and XLSX carry the same columns)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from consentline.api.schemas import BlockedByPublic, ConsentPublic


class SmsOptinRowPublic(BaseModel):
    organization: str
    sub_organization: str | None = Field(description="None for the root organization's lines.")
    employee: str
    line: str
    contact: str
    channel: str
    mode: str
    state: str
    requested_at: str | None
    decided_at: str | None
    deciding_message: str | None
    deciding_message_id: int | None
    opt_out_source: str | None = Field(
        description="A carrier's opt-out: carrier:code-or-keyword (twilio:STOP, whatsapp:131050)."
    )
    last_changed_at: str
    conversation_id: int
    blocked_by: BlockedByPublic | None = Field(
        default=None,
        description="Present only when another line's opt-out blocks sends here (consent_scope).",
    )


class SmsOptinPage(BaseModel):
    rows: list[SmsOptinRowPublic] = Field(description="Newest change first.")
    total: int
    page: int
    page_size: int


class RevocationRowPublic(BaseModel):
    org_id: int
    line: str
    contact: str
    channel: str
    source: Literal["keyword", "carrier", "staff", "import"]
    received_at: str
    confirmation_sent_at: str | None
    confirmation_latency_s: float | None
    deadline: str = Field(description="The day, 10 US business days after the opt-out.")
    messages_after: int


class RevocationSummaryPublic(BaseModel):
    count: int
    confirmed: int
    confirmation_latency_p50_s: float | None
    confirmation_latency_p99_s: float | None
    confirmation_latency_max_s: float | None
    confirmations_later_than_5_minutes: int
    messages_after_revocation: int
    by_source: dict[str, int]


class RevocationPage(BaseModel):
    rows: list[RevocationRowPublic] = Field(description="Newest first.")
    summary: RevocationSummaryPublic = Field(description="Over every row of the filter.")
    total: int
    page: int
    page_size: int


class EvidenceMessagePublic(BaseModel):
    id: int
    sender: str
    recipient: str
    template: str | None
    body: str
    at: str
    status: str | None = Field(description="The message's last delivery status.")


class ConsentEventPublic(BaseModel):
    at: str
    old_state: str
    new_state: str
    mode: str | None
    initiated_by: str | None
    trigger: EvidenceMessagePublic | None = Field(description="The message that caused it.")


class ArchiveCheckPublic(BaseModel):
    intact: bool
    problem: str | None
    records: int


class ConsentEvidencePublic(BaseModel):
    """``consent``, ``deciding_message`` and ``archive`` are null for a conversation that
    never happened; ``history`` and ``requests`` are then empty."""

    organization: str
    sub_organization: str | None
    employee: str
    line: str
    contact: str
    channel: str
    generated_at: str
    consent: ConsentPublic | None
    history: list[ConsentEventPublic]
    requests: list[EvidenceMessagePublic] = Field(description="The opt-in requests sent.")
    deciding_message: EvidenceMessagePublic | None
    archive: ArchiveCheckPublic | None
