"""axe-core in the browser tests: every page checked for serious and critical violations.

The vendored ``axe.min.js`` (tests/browser/vendor/) is added as an init script, which the
browser runs outside the page's Content-Security-Policy, so the portal's CSP stays as strict
as in production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).with_name("vendor") / "axe-core-4.14.1" / "axe.min.js"
SERIOUS = ("serious", "critical")


def load_axe(page: Page) -> None:
    """Make ``axe`` available on every page this Playwright page opens from now on."""
    page.add_init_script(path=str(AXE))


def violations(page: Page) -> list[str]:
    """The page's serious and critical violations, one line each (rule, impact, where)."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def assert_accessible(page: Page) -> None:
    problems = violations(page)
    assert problems == [], "\n".join(problems)
