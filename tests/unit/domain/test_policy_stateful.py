"""Random conversations through ``decide``, checked against the SPEC §8 quality bars.

The machine keeps one conversation's consent record and its held messages and applies each
decision the way the service does: a held trigger joins the held list; released, discarded
and expired ids leave it. Between messages time passes, the hold sweeper runs, and the
organization switches modes, keywords and intervals (group messaging stays off).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import assume, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from consentline.domain.consent import ConsentRecord, Party, State, Status
from consentline.domain.errors import InvalidSetting
from consentline.domain.keywords import KeywordKind, Keywords, normalize
from consentline.domain.policy import Decision, HeldMessage, Message, decide, expire_held
from consentline.domain.settings import Mode, PolicySettings, check_change
from tests.unit.domain.support import EMPLOYEE, NAMES, T0

OPT_IN_POOL = ("YES", "JA", "OK", "SI", "START", "UNSTOP", "Y", "SIGN UP", "OPT IN")
OPT_OUT_POOL = (
    "STOP",
    "HALT",
    "NEIN",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "OPT OUT",
)
SURROUNDINGS = ("", " ", "  ", "\n", "\t", "!", ".", "?!", "...", "*", '"', "(", ")", "¡")
EMOJI = ("👍", "🙏", "❤️", "👍🏽", "😀", "✋")
SEPARATORS = (" ", "  ", "-", "_", ".", " - ", "\t", "--", "._")
PHRASES = (
    "Hello",
    "yes please",
    "please stop",
    "Is my card ready?",
    "stop it",
    "STOP ALL now",
    "ok thanks",
    "YES YES",
    "can you call me",
)
MODES = ("consent", "disclaimer", "disabled")
LANGUAGES = ("en", "es", "fr", "pt")
MAX_STEP = timedelta(days=9)

contact_texts = st.one_of(
    st.sampled_from(PHRASES),
    st.text(min_size=1, max_size=24).filter(lambda body: bool(body.strip())),
)
employee_texts = st.sampled_from(
    ("Hello", "STOP", "stop", "YES", "yes", "Opt-out", "Your statement is ready", "JA", "HALT")
)
durations = st.sampled_from(
    (
        timedelta(0),
        timedelta(seconds=1),
        timedelta(minutes=5),
        timedelta(hours=1),
        timedelta(hours=23),
        timedelta(hours=24),
        timedelta(hours=25),
        timedelta(days=3),
        timedelta(days=7),
        timedelta(days=8),
    )
)


@st.composite
def spellings(draw: st.DrawFn, word: str) -> str:
    """``word`` as a contact might type it: any case, odd separators, noise around it."""
    parts = word.split(" ")
    joined = parts[0]
    for part in parts[1:]:
        joined += draw(st.sampled_from(SEPARATORS)) + part
    cased = "".join(char.upper() if draw(st.booleans()) else char.lower() for char in joined)
    noise = st.lists(st.sampled_from(SURROUNDINGS + EMOJI), max_size=3).map("".join)
    return draw(noise) + cased + draw(noise)


class ConsentConversation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.policy = PolicySettings(entitled=True, enabled=True, mode=Mode.CONSENT)
        self.record = ConsentRecord()
        self.held: list[HeldMessage] = []
        self.now = T0
        self.last_id = 0
        self.last_decider_id = 0
        self.language: str | None = None

    # --- events -------------------------------------------------------------------------

    @rule(body=contact_texts)
    def contact_sends_text(self, body: str) -> None:
        self._send(Party.CONTACT, body)

    @rule(data=st.data(), kind=st.sampled_from(KeywordKind))
    def contact_sends_keyword(self, data: st.DataObject, kind: KeywordKind) -> None:
        language = data.draw(st.sampled_from(self.policy.languages))
        keywords = self.policy.keywords_for(language)
        if kind is KeywordKind.OPT_IN:
            words = [keywords.opt_in, *keywords.opt_in_synonyms]
        elif kind is KeywordKind.OPT_OUT:
            words = [keywords.opt_out, *keywords.opt_out_synonyms]
        else:
            words = [keywords.help, *keywords.help_synonyms]
        body = data.draw(spellings(data.draw(st.sampled_from(words))))
        assert keywords.classify(body) is kind, body
        assert self.policy.classify(body, self.language)[0] is kind, body
        self._send(Party.CONTACT, body)

    @rule(
        others=st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True),
        default=st.sampled_from(LANGUAGES),
    )
    def languages_change(self, default: str, others: list[str]) -> None:
        languages = (default, *(code for code in others if code != default))
        new = replace(self.policy, languages=languages)
        try:
            check_change(self.policy, new)
        except InvalidSetting:
            assume(False)  # a word of the English lists collides with another language's
        self.policy = new

    @rule(body=employee_texts)
    def employee_sends_text(self, body: str) -> None:
        self._send(Party.EMPLOYEE, body)

    @rule(step=durations)
    def time_passes(self, step: timedelta) -> None:
        self.now += step
        # The sweeper (service.expiry) expires overdue holds; nothing is sent for them.
        overdue = expire_held(self.held, self.now, self.policy.hold_max_age)
        deadline = self.now - timedelta(seconds=self.policy.hold_max_age)
        assert {m.id for m in self.held if m.created_at < deadline} <= set(overdue)
        assert all(m.created_at <= deadline for m in self.held if m.id in overdue)
        self.held = [m for m in self.held if m.id not in overdue]

    @rule(mode=st.sampled_from(MODES))
    def mode_changes(self, mode: str) -> None:
        if mode == "disabled":
            new = replace(self.policy, enabled=False)
        else:
            new = replace(self.policy, enabled=True, mode=Mode(mode))
        self._change_settings(new)

    @rule(
        opt_in=st.sampled_from(OPT_IN_POOL),
        opt_in_synonyms=st.lists(st.sampled_from(OPT_IN_POOL), max_size=3, unique=True),
        opt_out=st.sampled_from(OPT_OUT_POOL),
        opt_out_synonyms=st.lists(st.sampled_from(OPT_OUT_POOL), max_size=5, unique=True),
    )
    def keywords_change(
        self,
        opt_in: str,
        opt_in_synonyms: list[str],
        opt_out: str,
        opt_out_synonyms: list[str],
    ) -> None:
        keywords = Keywords(opt_in, opt_out, tuple(opt_in_synonyms), tuple(opt_out_synonyms))
        self._change_settings(replace(self.policy, keywords=keywords))

    @rule(
        hold_max_age=st.sampled_from((3600, 86400, 604800)),
        resend=st.sampled_from((60, 3600, 86400)),
    )
    def intervals_change(self, hold_max_age: int, resend: int) -> None:
        self._change_settings(
            replace(self.policy, hold_max_age=hold_max_age, request_resend_interval=resend)
        )

    # --- invariants that hold between steps ---------------------------------------------

    @invariant()
    def held_messages_wait_for_an_unanswered_request(self) -> None:
        ids = [m.id for m in self.held]
        assert len(ids) == len(set(ids))
        if self.held:
            # Held only while a request is outstanding (pending) or from an earlier consent
            # cycle that a disclaimer-mode message moved past; never after a decision.
            assert self.record.state in (State.PENDING, State.DISCLAIMER_SENT), self.record
            assert self.record.decided_at is None
            assert min(ids) > self.last_decider_id

    @invariant()
    def group_messaging_stays_off(self) -> None:
        assert self.policy.group_messaging is False

    # --- helpers ------------------------------------------------------------------------

    def _change_settings(self, new: PolicySettings) -> None:
        check_change(self.policy, new)  # every change the machine makes is a valid one
        self.policy = new

    def _send(self, sender: Party, body: str) -> None:
        self.last_id += 1
        message_id = self.last_id
        message = Message(sender, body, self.now)
        before = self.record
        held_before = list(self.held)
        decision = decide(before, self.policy, message, held_before, NAMES, language=self.language)

        self._check_held_bookkeeping(decision, held_before)
        self._check_language(decision, message)
        self._check_opted_out(decision, before, message)
        self._check_keywords(decision, before, message)
        mode = self.policy.active_mode
        if self._is_help(message) and mode is not None:
            self._check_help(decision, before)
        elif mode is Mode.CONSENT:
            self._check_consent(decision, before, message)
        elif mode is Mode.DISCLAIMER:
            self._check_disclaimer(decision, before, message)
        else:
            self._check_disabled(decision)

        gone = {*decision.release, *decision.discard, *decision.expire}
        self.held = [m for m in self.held if m.id not in gone]
        if decision.status is Status.HELD:
            self.held.append(HeldMessage(message_id, self.now))
        if decision.decides:
            self.last_decider_id = message_id
        self.record = decision.record
        self.language = decision.language

    def _is_help(self, message: Message) -> bool:
        kind = self.policy.classify(message.body, self.language)[0]
        return message.sender is Party.CONTACT and kind is KeywordKind.HELP

    def _contact_keywords(self, decision: Decision) -> Keywords:
        return self.policy.keywords_for(self.policy.language_for(decision.language))

    def _check_language(self, decision: Decision, message: Message) -> None:
        """The contact's language is the language of their last keyword."""
        kind, _ = self.policy.classify(message.body, self.language)
        if message.sender is Party.EMPLOYEE or kind is None:
            assert decision.language == self.language
            return
        if decision.language != self.language:
            assert decision.language in self.policy.languages
            assert (
                self.policy.keywords_for(decision.language).kind_of(normalize(message.body)) is kind
            )
        opt_out = self._contact_keywords(decision).opt_out
        for auto in decision.auto_messages:
            if auto.recipient is Party.CONTACT and "<Opt-out Text>" in self.policy.template_for(
                auto.template, self.policy.language_for(decision.language)
            ):
                assert opt_out in auto.body, (auto, decision.language)

    def _check_help(self, decision: Decision, before: ConsentRecord) -> None:
        """CTIA: HELP is answered in every state and changes no consent."""
        assert decision.status is Status.KEYWORD
        assert decision.record == before
        assert not decision.decides
        assert [(a.template, a.recipient) for a in decision.auto_messages] == [
            ("help", Party.CONTACT)
        ]
        assert decision.release == ()
        assert decision.discard == ()

    def _check_held_bookkeeping(self, decision: Decision, held_before: list[HeldMessage]) -> None:
        ids = {m.id for m in held_before}
        resolved = [*decision.release, *decision.discard, *decision.expire]
        assert len(resolved) == len(set(resolved)), decision
        assert set(resolved) <= ids, decision
        deadline = self.now - timedelta(seconds=self.policy.hold_max_age)
        for m in held_before:
            if m.created_at < deadline:
                assert m.id in decision.expire, "an overdue held message must expire"
            if m.created_at > deadline:
                assert m.id not in decision.expire
        by_id = {m.id: m for m in held_before}
        released = [by_id[i] for i in decision.release]
        assert released == sorted(released, key=lambda m: (m.created_at, m.id)), "oldest first"
        if decision.decides:
            # The contact's decision settles every message held for it.
            assert set(resolved) == ids, decision
        if self.policy.active_mode is not Mode.CONSENT:
            assert decision.release == (), "a settings change never releases held messages"

    def _check_opted_out(self, decision: Decision, before: ConsentRecord, message: Message) -> None:
        after = decision.record
        to_contact = [a for a in decision.auto_messages if a.recipient is Party.CONTACT]
        if decision.status is Status.BLOCKED:
            assert message.sender is Party.EMPLOYEE
            assert before.state is State.OPTED_OUT
            assert after.state is State.OPTED_OUT
        if self._is_help(message) and self.policy.active_mode is not None:
            return  # _check_help: the HELP answer is the one text allowed besides these
        if before.state is State.OPTED_OUT and message.sender is Party.EMPLOYEE:
            assert decision.status is Status.BLOCKED
            assert decision.auto_messages == ()
            assert decision.release == ()
            assert after == before
        if after.state is State.OPTED_OUT:
            assert decision.release == ()
            assert message.sender is Party.CONTACT or decision.status is Status.BLOCKED
            if before.state is State.OPTED_OUT:
                assert to_contact == [], "nothing more to an opted-out contact"
                assert decision.status in (Status.KEYWORD, Status.BLOCKED, Status.DELIVERED)
                if decision.status is Status.DELIVERED:  # contact's text, SMS Opt-in off
                    assert self.policy.active_mode is None
                    assert message.sender is Party.CONTACT
            else:
                assert decision.status is Status.KEYWORD
                assert decision.decides
                expected = 1 if self.policy.active_mode is not None else 0
                assert len(to_contact) == expected, decision
                assert all(a.template.endswith("optout_confirmation") for a in to_contact)
        elif before.state is State.OPTED_OUT:
            # The contact wrote again: only the tables' answers to that go out.
            assert message.sender is Party.CONTACT
            assert {a.template for a in to_contact} <= {
                "mt_request",
                "mt_confirmation",
                "disclaimer",
            }

    def _check_keywords(self, decision: Decision, before: ConsentRecord, message: Message) -> None:
        after = decision.record
        keyword = self.policy.classify(message.body, self.language)[0]
        if message.sender is Party.EMPLOYEE:
            # An employee's "STOP" is text.
            assert decision.status is not Status.KEYWORD
            assert not decision.decides
            assert after.state is before.state or after.state in (
                State.PENDING,
                State.DISCLAIMER_SENT,
            )
            return
        if decision.status is Status.KEYWORD:
            assert keyword is not None
        if keyword is KeywordKind.OPT_OUT:
            # Honored in every mode, because the law requires it.
            assert after.state is State.OPTED_OUT
            assert decision.status is Status.KEYWORD

    def _check_consent(self, decision: Decision, before: ConsentRecord, message: Message) -> None:
        after = decision.record
        was = before.effective_state(Mode.CONSENT)
        if decision.status is Status.DELIVERED or decision.release:
            assert after.state is State.OPTED_IN, "delivered in consent mode without opt-in"
        if decision.status is Status.HELD:
            assert after.state is State.PENDING
        assert decision.auto_before == ()
        templates = [a.template for a in decision.auto_messages]
        if after.state is State.PENDING and was is not State.PENDING:
            prefix = "mt_" if message.sender is Party.CONTACT else "mo_"
            assert templates == [f"{prefix}request", f"{prefix}requested_notice"]
            assert after.initiated_by is message.sender
            assert after.requested_at == self.now
        elif was is State.PENDING and decision.status is Status.HELD:
            prefix = "mo_" if before.initiated_by is Party.EMPLOYEE else "mt_"
            last = before.last_request_at or before.requested_at
            assert last is not None
            elapsed = (self.now - last).total_seconds()
            interval = self.policy.request_resend_interval
            if elapsed < interval:
                assert templates == [], "request resent before request_resend_interval"
            elif elapsed > interval:
                assert templates == [f"{prefix}request"], "request not resent"
        keywords = self._contact_keywords(decision)
        for auto in decision.auto_messages:
            if auto.template.endswith("_request"):
                assert auto.recipient is Party.CONTACT
                assert EMPLOYEE in auto.body
                assert f" {keywords.opt_in}." in auto.body
                assert f" {keywords.opt_out}." in auto.body
            if auto.template.endswith("_confirmation") and "optout" not in auto.template:
                assert f" {keywords.opt_out}" in auto.body

    def _check_disclaimer(
        self, decision: Decision, before: ConsentRecord, message: Message
    ) -> None:
        was = before.effective_state(Mode.DISCLAIMER)
        assert decision.status is not Status.HELD
        if decision.status is Status.DELIVERED:
            told = [a for a in decision.auto_messages if a.template == "disclaimer"]
            if was is State.DISCLAIMER_SENT:
                assert told == []
            elif message.sender is Party.EMPLOYEE:
                # The disclaimer goes out before the employee's text.
                assert [a.template for a in decision.auto_before] == ["disclaimer"]
            else:
                assert [a.template for a in decision.auto_after] == ["disclaimer"]
            for auto in told:
                assert auto.body.endswith(f" {self._contact_keywords(decision).opt_out}.")

    def _check_disabled(self, decision: Decision) -> None:
        assert decision.auto_messages == ()
        assert decision.status in (Status.DELIVERED, Status.BLOCKED, Status.KEYWORD)


ConsentConversation.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None
)
TestConsentConversation = ConsentConversation.TestCase
