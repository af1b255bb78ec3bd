"""The portal's pure parts: CSRF tokens, the organization tree, the two views, navigation."""

from __future__ import annotations

from datetime import UTC, datetime

from consentline.portal import nav
from consentline.portal.auth import safe_next
from consentline.portal.csrf import new_token, session_token, tokens_match
from consentline.portal.history import actor, change_row, shown, word_diff
from consentline.portal.orgtree import build_tree
from consentline.portal.transcript import side_view
from consentline.service.access import Principal
from consentline.service.settings import SettingChange
from consentline.service.sign_in import principal_of
from consentline.store.orgs import OrgRow
from consentline.store.users import UserRow


def test_csrf_tokens_are_random_and_compared_exactly() -> None:
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 40
    assert tokens_match(first, first)
    assert not tokens_match(first, second)
    assert not tokens_match(first, None)
    assert not tokens_match(None, None)
    assert not tokens_match("", "")


def test_a_session_keeps_its_csrf_token() -> None:
    session: dict[str, object] = {}
    token = session_token(session)
    assert session_token(session) == token
    assert session["csrf"] == token


def test_the_tree_lists_each_organization_under_its_parent() -> None:
    orgs = [
        OrgRow(1, "Acme", None, 1),
        OrgRow(2, "West", 1, 1),
        OrgRow(3, "East", 1, 1),
        OrgRow(4, "Seattle", 2, 1),
        OrgRow(5, "Other Bank", None, 5),
    ]
    tree = build_tree(orgs, [1, 5])
    assert [(item.org.name, item.depth) for item in tree] == [
        ("Acme", 0),
        ("East", 1),
        ("West", 1),
        ("Seattle", 2),
        ("Other Bank", 0),
    ]
    assert tree[3].label.endswith("└ Seattle")
    assert [item.org.name for item in build_tree(orgs, [2])] == ["West", "Seattle"]


def test_each_side_sees_what_it_sent_and_what_reached_it() -> None:
    history = [
        _message(1, "contact", "employee", "user", "held"),
        _message(2, "system", "contact", "auto", "delivered"),
        _message(3, "system", "employee", "auto", "delivered"),
        _message(4, "contact", "employee", "user", "keyword"),
        _message(5, "employee", "contact", "user", "blocked"),
    ]
    guest = side_view(history, "contact")
    assert [(b.id, b.mine, b.auto) for b in guest] == [
        (1, True, False),
        (2, False, True),
        (4, True, False),
    ]
    assert guest[0].note is not None
    assert "Held" in guest[0].note
    employee = side_view(history, "employee")
    assert [b.id for b in employee] == [3, 5]
    assert employee[1].note is not None
    assert "opted out" in employee[1].note


def test_sign_in_redirects_stay_on_this_site() -> None:
    assert safe_next("/setup/templates") == "/setup/templates"
    assert safe_next("//evil.example") == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next(None) == "/"


def test_a_portal_user_becomes_a_principal_named_after_them() -> None:
    user = UserRow(7, 3, "ann@example.com", "Ann", "hash", ("reports", "setup"), False)
    principal = principal_of(user)
    assert principal == Principal("user:7:ann@example.com", 3, frozenset({"setup", "reports"}))


def test_history_shows_people_and_values_plainly() -> None:
    assert actor("user:7:ann@example.com") == "ann@example.com"
    assert actor("api-key:3:ops") == "API key “ops”"
    assert (shown(True), shown(None), shown("consent"), shown(["A", "B"])) == (
        "On",
        "—",
        "consent",
        "A, B",
    )
    assert shown("consent", "sms_optin.mode") == "SMS Opt-in with Consent"
    assert shown(604800, "hold_max_age") == "7 days"
    assert shown(5400, "request_resend_interval") == "1 hour 30 minutes"


def test_a_changed_text_diffs_word_by_word() -> None:
    pieces = word_diff("Reply YES to opt in.  Thanks", "Reply OK to opt in.  Thanks!")
    assert [(p.kind, p.text) for p in pieces] == [
        ("same", "Reply "),
        ("removed", "YES"),
        ("added", "OK"),
        ("same", " to opt in.  "),
        ("removed", "Thanks"),
        ("added", "Thanks!"),
    ]
    assert "".join(p.text for p in pieces if p.kind != "removed") == "Reply OK to opt in.  Thanks!"


WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_history_row_names_the_setting_and_lists_changed_words() -> None:
    row = change_row(
        SettingChange(
            changed_at=WHEN,
            actor="user:1:ann@example.com",
            setting="keywords.opt_out_synonyms",
            old_value=["STOPALL", "QUIT"],
            new_value=["STOPALL", "HALT"],
        )
    )
    assert row["name"] == "Also accepted as opt-out"
    assert (row["added"], row["removed"]) == (["HALT"], ["QUIT"])
    template = change_row(
        SettingChange(
            changed_at=WHEN,
            actor="system",
            setting="templates.mt_request",
            old_value="a b",
            new_value="a c",
        )
    )
    assert template["name"] == "Template: Opt-in request, when the contact texts first"
    assert [p.kind for p in template["diff"]] == ["same", "removed", "added"]


def test_a_page_added_to_the_navigation_shows_in_order_for_whom_it_is_meant() -> None:
    menu = [
        nav.NavItem("Try it", "/try", 10),
        nav.NavItem("Setup", "/setup/feature-settings", 30, section="/setup"),
        nav.NavItem("Operator", "/operator/orgs", 90, nav.operator_only),
    ]
    nav.register(nav.NavItem("Reports", "/reports", 40), menu)
    nav.register(nav.NavItem("Reports", "/reports", 40), menu)
    user = Principal("user:1:a@b.c", 1, frozenset())
    operator = Principal("user:2:o@b.c", None, frozenset(), is_operator=True)
    assert [i.label for i in nav.items_for(menu, user)] == ["Try it", "Setup", "Reports"]
    assert [i.label for i in nav.items_for(menu, operator)][-1] == "Operator"
    setup = menu[1]
    assert setup.is_current("/setup/templates")
    assert not setup.is_current("/setupx")
    assert {"Try it: two phones", "Conversations", "Setup"} <= {i.label for i in nav.TOP}


def _message(mid: int, sender: str, recipient: str, kind: str, status: str) -> dict[str, object]:
    return {
        "id": mid,
        "sender": sender,
        "recipient": recipient,
        "kind": kind,
        "template": None,
        "body": f"m{mid}",
        "status": status,
        "created_at": "2026-01-05T09:00:00Z",
    }
