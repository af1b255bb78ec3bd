"""Consent decisions that no message made: recorded by staff, or imported. Pure.

A contact who opts out by phone, in a branch or by letter, or whose decision comes from the
organization's old system, gets the same record change as an opt-out keyword: the state
moves, held messages are discarded (opt-out) or released (opt-in), and the employee's sends
are blocked afterwards. What differs is that no message triggered it, so nothing is sent
unless staff ask for the contact's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from consentline.domain.consent import ConsentRecord, Party, State, Status, cycle_prefix
from consentline.domain.policy import AutoMessage, Decision, HeldMessage, Names, expire_held
from consentline.domain.settings import PolicySettings
from consentline.domain.templates import RenderContext, render
from consentline.domain.timefmt import iso_z

DECIDED_STATES = (State.OPTED_IN, State.OPTED_OUT)


class Source(StrEnum):
    """Where a consent event came from when it did not come from a message."""

    STAFF = "staff"
    IMPORT = "import"


class Method(StrEnum):
    """How a contact told staff their decision outside the text channel."""

    PHONE_CALL = "phone_call"
    BRANCH = "branch"
    EMAIL = "email"
    LETTER = "letter"
    WEB_FORM = "web_form"


def recorded_decision(
    record: ConsentRecord,
    settings: PolicySettings,
    state: State,
    decided_at: datetime,
    now: datetime,
    held: list[HeldMessage] | tuple[HeldMessage, ...] = (),
    *,
    notify_contact: bool = False,
    names: Names | None = None,
) -> Decision:
    """The record after a decision taken at ``decided_at`` and recorded at ``now``."""
    if state not in DECIDED_STATES:
        raise ValueError("a recorded decision opts in or out")
    expired = expire_held(held, now, settings.hold_max_age)
    live = tuple(m.id for m in sorted(held, key=lambda m: (m.created_at, m.id)))
    live = tuple(m for m in live if m not in expired)
    initiated_by = record.initiated_by or Party.CONTACT
    new = replace(
        record,
        state=state,
        mode=settings.active_mode or record.mode,
        initiated_by=initiated_by,
        decided_at=decided_at,
    )
    auto: tuple[AutoMessage, ...] = ()
    if state is State.OPTED_OUT and notify_contact:
        template = f"{cycle_prefix(initiated_by)}optout_confirmation"
        body = render(
            settings.template(template),
            RenderContext(
                employee_name=names.employee_name if names else "",
                company_name=names.company_name if names else "",
                opt_in_text=settings.keywords.opt_in,
                opt_out_text=settings.keywords.opt_out,
            ),
        )
        auto = (AutoMessage(template, Party.CONTACT, body),)
    opting_in = state is State.OPTED_IN
    return Decision(
        record=new,
        status=Status.KEYWORD,
        auto_after=auto,
        release=live if opting_in else (),
        discard=() if opting_in else live,
        expire=expired,
    )


class Outcome(StrEnum):
    APPLY = "apply"
    UNCHANGED = "unchanged"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class ImportVerdict:
    outcome: Outcome
    reason: str | None = None


def judge_import(
    current: ConsentRecord,
    last_change_at: datetime | None,
    state: State,
    decided_at: datetime | None,
    evidence: str | None,
    *,
    allow_opt_in: bool,
) -> ImportVerdict:
    """Whether one imported row changes a conversation, and if not, why.

    ``last_change_at``: when the consent record now in ConsentLine last changed by a
    decision or a new request (None if never). An import never overrides a later change,
    never opts in without a date and evidence, and never opts an opted-out contact back in
    unless the importer allows it. A row without ``decided_at`` (an opt-out) counts as now.
    """
    if current.state is state:
        return ImportVerdict(Outcome.UNCHANGED)
    if state is State.OPTED_IN and (decided_at is None or not evidence):
        return ImportVerdict(Outcome.QUARANTINE, "an opt-in needs decided_at and evidence")
    if decided_at is not None and last_change_at is not None and decided_at < last_change_at:
        return ImportVerdict(
            Outcome.QUARANTINE,
            f"a later change ({current.state.value} at "
            f"{iso_z(last_change_at)}) is already recorded",
        )
    if state is State.OPTED_IN and current.state is State.OPTED_OUT and not allow_opt_in:
        return ImportVerdict(
            Outcome.QUARANTINE, "the contact opted out; opting in needs --allow-opt-in"
        )
    return ImportVerdict(Outcome.APPLY)


def last_change_at(record: ConsentRecord) -> datetime | None:
    """When the record last changed by a decision or a new request, as far as it says."""
    if record.state in DECIDED_STATES:
        return record.decided_at
    if record.state is State.PENDING:
        return record.requested_at
    return None
