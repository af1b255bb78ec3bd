"""The portal's navigation. A new page adds itself with ``register``; see portal/README.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from consentline.service.access import Principal, Privilege


def everyone(_principal: Principal) -> bool:
    return True


def operator_only(principal: Principal) -> bool:
    return principal.is_operator


def needs(*any_of: Privilege) -> Callable[[Principal], bool]:
    """Shown to the operator and to users holding any of these privileges: the same rule
    as ``Principal.require``, so a link is shown exactly when its page opens."""

    def visible(principal: Principal) -> bool:
        return principal.is_operator or any(p.value in principal.privileges for p in any_of)

    return visible


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    order: int
    """Position in the bar, lowest first."""
    visible: Callable[[Principal], bool] = everyone
    section: str | None = None
    """URL prefix that marks the item current; defaults to ``href``."""

    def is_current(self, path: str) -> bool:
        prefix = self.section or self.href
        return path == prefix or path.startswith(prefix.rstrip("/") + "/")


TOP: list[NavItem] = [
    NavItem("Try it: two phones", "/try", 10, needs(Privilege.MESSAGING)),
    NavItem("Conversations", "/conversations", 20, needs(Privilege.MESSAGING, Privilege.REPORTS)),
    NavItem("Setup", "/setup/feature-settings", 30, section="/setup"),
    NavItem("Operator", "/operator/orgs", 90, operator_only, section="/operator"),
]

SETUP: list[NavItem] = [
    NavItem("Feature Settings", "/setup/feature-settings", 10),
    NavItem("Templates and keywords", "/setup/templates", 20),
    NavItem("Users", "/setup/users", 30, needs(Privilege.SETUP)),
    NavItem("Settings history", "/setup/history", 40, needs(Privilege.SETUP, Privilege.REPORTS)),
]


def register(item: NavItem, menu: list[NavItem] = TOP) -> None:
    """Add a page to a menu (the top bar by default), once."""
    if all(existing.href != item.href for existing in menu):
        menu.append(item)


def items_for(menu: list[NavItem], principal: Principal) -> list[NavItem]:
    return sorted((i for i in menu if i.visible(principal)), key=lambda i: (i.order, i.label))
