"""Refresh docs/screenshots/ from a realistic demo bank, in Chromium (``scripts/screenshots``).

Builds Northwind Bank (two sub-organizations, three employees' lines, a few weeks of
conversations, settings changes by named people) on a fresh SQLite file through the service
layer, serves it on a free loopback port, and photographs the pages the README shows.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from consentline.app import create_app, utc_now
from consentline.config import Config
from consentline.domain.messages import Channel
from consentline.service import messaging, orgs as org_service, settings as settings_service
from consentline.service.access import Principal
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "northwind demo password"  # noqa: S105 - a throwaway demo login
ADMIN = ("daniel.brooks@northwind.example", "Daniel Brooks", ["setup", "reports", "messaging"])
OFFICER = ("grace.whitman@northwind.example", "Grace Whitman", ["reports"])
OPERATOR = ("support@consentline.example", "ConsentLine Support")
LINES = (
    ("+12125550141", "Maria Alvarez", None),
    ("+14155550187", "James Chen", "Wealth Management"),
    ("+13125550123", "Priya Natarajan", "Retail Banking East"),
)
# (days ago, line index, contact, who, text): a few weeks of a bank's texting.
SCRIPT: tuple[tuple[float, int, str, str, str], ...] = (
    (20, 0, "+12125550198", "contact", "Hi Maria, can we move Thursday's appointment to 3pm?"),
    (19.98, 0, "+12125550198", "contact", "YES"),
    (19.9, 0, "+12125550198", "employee", "Of course, 3pm Thursday is booked. See you then."),
    (
        18,
        1,
        "+14155550110",
        "employee",
        "Hello Mr. Okafor, your quarterly portfolio review is ready.",
    ),
    (17.5, 1, "+14155550110", "contact", "Yes"),
    (17.4, 1, "+14155550110", "contact", "Thanks James, can you send the summary by email?"),
    (15, 2, "+13125550177", "contact", "Is the branch on Main St open on Saturday?"),
    (14, 2, "+13125550177", "contact", "STOP"),
    (
        12,
        0,
        "+12125550133",
        "employee",
        "Hi Ms. Lindqvist, your new debit card is ready for pickup.",
    ),
    (9, 1, "+14155550145", "contact", "Could you send me the mortgage pre-approval documents?"),
    (8.85, 1, "+14155550145", "contact", "yes please"),
    (8.8, 1, "+14155550145", "contact", "YES"),
    (
        8.7,
        1,
        "+14155550145",
        "employee",
        "Sent to your secure inbox. Let me know if anything is missing.",
    ),
    (
        6,
        2,
        "+13125550161",
        "employee",
        "Good morning, this is Priya about your account review appointment.",
    ),
    (5, 0, "+12125550176", "contact", "I'd like to discuss refinancing my car loan."),
    (4.5, 0, "+12125550176", "contact", "Yes"),
    (4.4, 0, "+12125550176", "employee", "Happy to help. Does Tuesday at 10am work for a call?"),
    (3, 1, "+14155550102", "contact", "Please call me about the wire transfer"),
    (2, 2, "+13125550188", "contact", "Hello, question about overdraft fees on my account"),
    (1.5, 2, "+13125550188", "contact", "YES"),
    (
        1.4,
        2,
        "+13125550188",
        "employee",
        "Thanks! The fee was refunded today; sorry for the trouble.",
    ),
    (0.5, 0, "+12125550154", "contact", "Can I reschedule my appointment to next week?"),
)


def seed(engine_url: str) -> None:
    engine = make_engine(engine_url)
    migrate(engine)
    now = utc_now()
    start = now - timedelta(days=21)
    with UnitOfWork(engine) as uow:
        org_service.add_user(
            uow, None, OPERATOR[0], OPERATOR[1], PASSWORD, [], start, is_operator=True
        )
        root = org_service.create_org(uow, SYSTEM, "Northwind Bank", None, start)
        subs = {
            name: org_service.create_org(uow, SYSTEM, name, root.id, start).id
            for name in ("Wealth Management", "Retail Banking East")
        }
        org_service.set_entitlement(uow, SYSTEM, root.id, True, start)
        users = {
            email: org_service.create_user(
                uow, SYSTEM, root.id, email, name, PASSWORD, privileges, start
            )
            for email, name, privileges in (ADMIN, OFFICER)
        }
        for number, employee, sub in LINES:
            org_id = subs[sub] if sub else root.id
            org_service.create_line(uow, SYSTEM, org_id, number, employee, start)
    admin = users[ADMIN[0]]
    person = Principal(f"user:{admin.id}:{admin.email}", root.id, frozenset(ADMIN[2]))
    changes = (
        (21, {"sms_optin": {"enabled": True, "mode": "consent"}}),
        (
            16,
            {
                "templates": {
                    "mt_confirmation": "[Auto Message] Thank you, opt in confirmed. To opt out "
                    "at any time, reply <Opt-out Text>."
                }
            },
        ),
        (
            11,
            {
                "keywords": {
                    "opt_out_synonyms": [
                        "STOPALL",
                        "STOP ALL",
                        "UNSUBSCRIBE",
                        "CANCEL",
                        "END",
                        "QUIT",
                        "REVOKE",
                        "OPTOUT",
                        "OPT OUT",
                        "HALT",
                    ]
                }
            },
        ),
        (7, {"hold_max_age": 3 * 86400}),
    )
    for days, patch in changes:
        with UnitOfWork(engine) as uow:
            settings_service.change_settings(
                uow, person, root.id, patch, now - timedelta(days=days)
            )
    for days, line, contact, who, text in SCRIPT:
        moment: datetime = now - timedelta(days=days)
        with UnitOfWork(engine) as uow:
            if who == "contact":
                messaging.receive_inbound(
                    uow,
                    SYSTEM,
                    line=LINES[line][0],
                    sender=contact,
                    body=text,
                    channel=Channel.SMS,
                    now=moment,
                )
            else:
                messaging.send_outbound(
                    uow,
                    SYSTEM,
                    line=LINES[line][0],
                    to=contact,
                    body=text,
                    channel=Channel.SMS,
                    now=moment,
                )
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/screenshots/{name}.png")


def photograph(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        context = browser.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 860}, device_scale_factor=1
        )
        page = context.new_page()
        page.goto("/login")
        shoot(page, "login")

        sign_in(page, OFFICER[0])  # Reports only: lands on Conversations
        page.goto("/")
        shoot(page, "home")
        page.goto("/conversations")
        shoot(page, "conversations-search")
        page.get_by_label("Words in messages").fill("appointment")
        page.get_by_role("button", name="Search").click()
        shoot(page, "conversations-search-words")
        page.get_by_role("link", name="+12125550198").click()
        shoot(page, "conversation")
        page.goto("/reports/sms-optin")
        shoot(page, "sms-optin-report")
        page.goto("/setup/history")
        shoot(page, "settings-history")
        page.goto("/setup/nonexistent")
        shoot(page, "error-404")
        page.context.clear_cookies()

        sign_in(page, ADMIN[0])
        page.goto("/setup/templates")
        shoot(page, "templates")
        page.goto("/setup/feature-settings/sms-optin")
        shoot(page, "sms-optin")
        page.goto("/setup/users")
        shoot(page, "users")
        page.goto("/try?contact=%2B12125550199")
        guest = page.locator("section.phone[data-side=contact]")
        employee = page.locator("section.phone[data-side=employee]")
        guest.get_by_label("Message from Guest's phone").fill("Hi Maria, it's Tom Reyes")
        guest.get_by_role("button", name="Send").click()
        page.wait_for_timeout(1500)
        guest.get_by_label("Message from Guest's phone").fill("YES")
        guest.get_by_role("button", name="Send").click()
        page.wait_for_timeout(1500)
        employee.get_by_label("Message from Maria Alvarez's phone").fill(
            "Hello Tom, how can I help?"
        )
        employee.get_by_role("button", name="Send").click()
        page.wait_for_timeout(2000)
        shoot(page, "try-two-phones")
        page.context.clear_cookies()

        sign_in(page, OPERATOR[0])
        page.goto("/operator/orgs")
        shoot(page, "operator-organizations")
        browser.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'northwind.db'}"
        seed(url)
        config = Config(database_url=url, secret_key="s" * 40, outbox_interval=0.2)
        app = create_app(config, engine=make_engine(url))
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            photograph(f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
