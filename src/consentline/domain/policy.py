"""The opt-in policy as one decision function: SPEC §3.1 (consent), §3.2 (disclaimer),
§3.3 (disabled) and §3.4 (mode changes).

``decide`` takes a conversation's consent record, the organization's settings, the new
message and the conversation's held messages, and returns what to do: the new record, the
status of the message, the auto messages to send and what becomes of the held ones. It does
no I/O; the service layer loads, locks, stores and sends around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from consentline.domain.consent import ConsentRecord, Party, State, Status, cycle_prefix
from consentline.domain.keywords import KeywordKind
from consentline.domain.settings import Mode, PolicySettings
from consentline.domain.templates import RenderContext, render

OPTED_OUT_REASON = "opted_out"
AWAITING_CONSENT_REASON = "awaiting_consent"
EXPIRED_REASON = "hold_max_age"
"""Why a held message expired; a discarded one was discarded because the contact opted out
(``OPTED_OUT_REASON``)."""


@dataclass(frozen=True)
class Message:
    """A message entering the gateway, from the contact or from the employee."""

    sender: Party
    body: str
    at: datetime


@dataclass(frozen=True)
class HeldMessage:
    id: int
    created_at: datetime


@dataclass(frozen=True)
class Names:
    employee_name: str
    company_name: str
    line_number: str = ""
    """The line's number: what ``<Support Contact>`` says when no support contact is set."""


@dataclass(frozen=True)
class ScopeBlock:
    """An opt-out made on another line (or channel) that covers this conversation under the
    organization's ``consent_scope``."""

    line: str
    channel: str
    decided_at: datetime


@dataclass(frozen=True)
class AutoMessage:
    template: str
    recipient: Party
    body: str


@dataclass(frozen=True)
class Decision:
    record: ConsentRecord
    status: Status
    reason: str | None = None
    auto_before: tuple[AutoMessage, ...] = ()
    """Auto messages that go out before the message itself (the disclaimer)."""
    auto_after: tuple[AutoMessage, ...] = ()
    release: tuple[int, ...] = ()
    """Held messages to deliver now, oldest first, after the auto messages."""
    discard: tuple[int, ...] = ()
    expire: tuple[int, ...] = ()
    decides: bool = False
    """The message is the contact's decision: the consent evidence."""
    language: str | None = None
    """The contact's language after this message (the language of their last keyword)."""
    blocked_by: ScopeBlock | None = None

    @property
    def auto_messages(self) -> tuple[AutoMessage, ...]:
        return self.auto_before + self.auto_after


@dataclass
class _Draft:
    """The decision as it is being built for one event."""

    settings: PolicySettings
    names: Names
    message: Message
    record: ConsentRecord
    live_held: list[HeldMessage]
    expired: tuple[int, ...]
    language: str | None = None
    status: Status = Status.DELIVERED
    reason: str | None = None
    blocked_by: ScopeBlock | None = None
    auto_before: list[AutoMessage] = field(default_factory=list)
    auto_after: list[AutoMessage] = field(default_factory=list)
    release: tuple[int, ...] = ()
    discard: tuple[int, ...] = ()
    decides: bool = False

    def auto(self, template: str, recipient: Party, *, first: bool = False) -> None:
        # The contact reads their own language; the employee the organization's default.
        settings = self.settings
        language = settings.language_for(
            self.language if recipient is Party.CONTACT else settings.default_language
        )
        keywords = settings.keywords_for(language)
        body = render(
            settings.template_for(template, language),
            RenderContext(
                employee_name=self.names.employee_name,
                company_name=self.names.company_name,
                opt_in_text=keywords.opt_in,
                opt_out_text=keywords.opt_out,
                support_contact=settings.support_contact or self.names.line_number,
            ),
        )
        (self.auto_before if first else self.auto_after).append(
            AutoMessage(template, recipient, body)
        )

    def move(self, state: State, **changes: object) -> None:
        # Only a carrier's opt-out carries a source; every other move clears it.
        self.record = replace(
            self.record,
            state=state,
            mode=self.settings.active_mode or self.record.mode,
            optout_source=None,
        )
        if changes:
            self.record = replace(self.record, **changes)  # type: ignore[arg-type]

    def result(self) -> Decision:
        return Decision(
            record=self.record,
            status=self.status,
            reason=self.reason,
            auto_before=tuple(self.auto_before),
            auto_after=tuple(self.auto_after),
            release=self.release,
            discard=self.discard,
            expire=self.expired,
            decides=self.decides,
            language=self.language,
            blocked_by=self.blocked_by,
        )


def decide(
    record: ConsentRecord,
    settings: PolicySettings,
    message: Message,
    held: list[HeldMessage] | tuple[HeldMessage, ...] = (),
    names: Names = Names("", ""),
    *,
    language: str | None = None,
    blocked_by: ScopeBlock | None = None,
) -> Decision:
    """What the policy does with one message of a conversation.

    ``language`` is the contact's language so far; ``blocked_by`` an opt-out made elsewhere
    in the organization that covers this conversation (``consent_scope``)."""
    if message.sender not in (Party.CONTACT, Party.EMPLOYEE):
        raise ValueError("only the contact or the employee send messages")
    live, expired = _split_expired(held, message.at, settings.hold_max_age)
    draft = _Draft(settings, names, message, record, live, expired, language)
    keyword = None
    if message.sender is Party.CONTACT:
        keyword, draft.language = settings.classify(message.body, language)
    mode = settings.active_mode
    if message.sender is Party.EMPLOYEE and blocked_by is not None:
        # Another line's opt-out covers this one: blocked as if opted out here, and the
        # record of this conversation stays as it is.
        _block(draft)
        draft.blocked_by = blocked_by
    elif keyword is KeywordKind.HELP and mode is not None:
        # CTIA: HELP is answered in every state, opted out included; consent is unchanged.
        draft.status = Status.KEYWORD
        draft.auto("help", Party.CONTACT)
    elif mode is Mode.CONSENT:
        _consent(draft, keyword)
    elif mode is Mode.DISCLAIMER:
        _disclaimer(draft, keyword)
    else:
        _disabled(draft, keyword)
    return draft.result()


def expire_held(
    held: list[HeldMessage] | tuple[HeldMessage, ...], now: datetime, hold_max_age: int
) -> tuple[int, ...]:
    """Held messages past ``hold_max_age``: they become expired, nothing is sent."""
    return _split_expired(held, now, hold_max_age)[1]


def expiry(
    record: ConsentRecord,
    held: list[HeldMessage] | tuple[HeldMessage, ...],
    now: datetime,
    hold_max_age: int,
) -> Decision:
    """The sweep's decision for a conversation: its overdue held messages expire, the
    consent record stays as it is (no message made this decision)."""
    return Decision(record, Status.EXPIRED, expire=expire_held(held, now, hold_max_age))


def _split_expired(
    held: list[HeldMessage] | tuple[HeldMessage, ...], now: datetime, hold_max_age: int
) -> tuple[list[HeldMessage], tuple[int, ...]]:
    # Expired once *older than* the limit: a message exactly hold_max_age old still counts.
    deadline = now - timedelta(seconds=hold_max_age)
    live = sorted((m for m in held if m.created_at >= deadline), key=_held_order)
    expired = tuple(m.id for m in sorted(held, key=_held_order) if m.created_at < deadline)
    return live, expired


def _held_order(message: HeldMessage) -> tuple[datetime, int]:
    return (message.created_at, message.id)


# --- SPEC §3.1: Opt-in with Consent -------------------------------------------------------


def _consent(draft: _Draft, keyword: KeywordKind | None) -> None:
    state = draft.record.effective_state(Mode.CONSENT)
    if draft.message.sender is Party.EMPLOYEE:
        if state is State.OPTED_IN:
            return
        if state is State.OPTED_OUT:
            _block(draft)
        elif state is State.PENDING:
            _hold_and_maybe_resend(draft)
        else:
            _start_cycle(draft, Party.EMPLOYEE)
        return

    if keyword is KeywordKind.OPT_OUT:
        if state is State.OPTED_OUT:
            draft.status = Status.KEYWORD  # already out: consumed, no second confirmation
        else:
            initiator = draft.record.initiated_by if state is not State.NONE else Party.CONTACT
            _opt_out(draft, initiator, notify=True)
        return
    if keyword is KeywordKind.OPT_IN and state in (State.PENDING, State.OPTED_OUT):
        initiator = draft.record.initiated_by if state is State.PENDING else Party.CONTACT
        _opt_in(draft, initiator)
        return
    if state is State.OPTED_IN:
        return
    if state is State.PENDING:
        _hold_and_maybe_resend(draft)
    else:  # none, or opted out and writing again: "reply with a new message"
        _start_cycle(draft, Party.CONTACT)


def _start_cycle(draft: _Draft, initiator: Party) -> None:
    prefix = cycle_prefix(initiator)
    draft.status, draft.reason = Status.HELD, AWAITING_CONSENT_REASON
    draft.auto(f"{prefix}request", Party.CONTACT)
    draft.auto(f"{prefix}requested_notice", Party.EMPLOYEE)
    draft.move(
        State.PENDING,
        initiated_by=initiator,
        requested_at=draft.message.at,
        last_request_at=draft.message.at,
        request_text=draft.auto_after[0].body,
        decided_at=None,
    )


def _hold_and_maybe_resend(draft: _Draft) -> None:
    draft.status, draft.reason = Status.HELD, AWAITING_CONSENT_REASON
    last = draft.record.last_request_at or draft.record.requested_at
    interval = timedelta(seconds=draft.settings.request_resend_interval)
    if last is None or draft.message.at - last >= interval:
        draft.auto(f"{cycle_prefix(draft.record.initiated_by)}request", Party.CONTACT)
        draft.move(State.PENDING, last_request_at=draft.message.at)


def _opt_in(draft: _Draft, initiator: Party | None) -> None:
    prefix = cycle_prefix(initiator)
    draft.status, draft.decides = Status.KEYWORD, True
    draft.auto(f"{prefix}confirmation", Party.CONTACT)
    draft.auto(f"{prefix}accepted_notice", Party.EMPLOYEE)
    draft.release = tuple(m.id for m in draft.live_held)
    draft.move(State.OPTED_IN, initiated_by=initiator, decided_at=draft.message.at)


def _opt_out(draft: _Draft, initiator: Party | None, *, notify: bool) -> None:
    prefix = cycle_prefix(initiator)
    draft.status, draft.decides = Status.KEYWORD, True
    if notify:
        draft.auto(f"{prefix}optout_confirmation", Party.CONTACT)
        draft.auto(f"{prefix}optout_notice", Party.EMPLOYEE)
    draft.discard = tuple(m.id for m in draft.live_held)
    draft.move(State.OPTED_OUT, initiated_by=initiator, decided_at=draft.message.at)


def _block(draft: _Draft) -> None:
    draft.status, draft.reason = Status.BLOCKED, OPTED_OUT_REASON


# --- SPEC §3.2: Opt-in Disclaimer ---------------------------------------------------------


def _disclaimer(draft: _Draft, keyword: KeywordKind | None) -> None:
    state = draft.record.effective_state(Mode.DISCLAIMER)
    first_sender = draft.record.initiated_by or draft.message.sender
    if draft.message.sender is Party.EMPLOYEE:
        if state is State.OPTED_OUT:
            _block(draft)
        elif state is State.NONE:
            draft.auto("disclaimer", Party.CONTACT, first=True)
            draft.move(State.DISCLAIMER_SENT, initiated_by=first_sender)
        return

    if keyword is KeywordKind.OPT_OUT:
        if state is State.OPTED_OUT:
            draft.status = Status.KEYWORD
        else:
            _opt_out(draft, first_sender, notify=True)
        return
    if state is not State.DISCLAIMER_SENT:  # none, or opted out and writing again
        draft.auto("disclaimer", Party.CONTACT)
        draft.move(State.DISCLAIMER_SENT, initiated_by=first_sender)


# --- SPEC §3.3: SMS Opt-in disabled -------------------------------------------------------


def _disabled(draft: _Draft, keyword: KeywordKind | None) -> None:
    state = draft.record.state
    if draft.message.sender is Party.EMPLOYEE:
        if state is State.OPTED_OUT:
            _block(draft)
        return
    if keyword is KeywordKind.OPT_OUT:
        if state is State.OPTED_OUT:
            draft.status = Status.KEYWORD
        else:
            # The law requires honoring STOP whatever the setting; nothing is generated.
            _opt_out(draft, draft.record.initiated_by or Party.CONTACT, notify=False)
    elif keyword is KeywordKind.OPT_IN and state is State.OPTED_OUT:
        # An opted-out contact opting back in is a real, recorded consent.
        draft.status, draft.decides = Status.KEYWORD, True
        draft.move(State.OPTED_IN, initiated_by=Party.CONTACT, decided_at=draft.message.at)
