"""Portal users of an organization: who they are and which privileges they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentline.domain.errors import InvalidInput, NotFound
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.orgs import privileges_of
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, users as user_store


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    name: str
    org_id: int
    org_name: str
    privileges: tuple[str, ...]


def subtree_ids(uow: UnitOfWork, org_id: int) -> list[int]:
    """The organization and every organization below it."""
    org = org_store.get_org(uow.connection, org_id)
    if org is None:
        return []
    everything = org_store.list_orgs(uow.connection, org.root_id)
    children: dict[int | None, list[int]] = {}
    for each in everything:
        children.setdefault(each.parent_id, []).append(each.id)
    found, todo = [], [org.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return sorted(found)


def list_users(uow: UnitOfWork, principal: Principal, org_id: int) -> list[UserPublic]:
    """The users of the organization and of every organization below it."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    names = {each.id: each.name for each in org_store.list_orgs(uow.connection, org.root_id)}
    return [
        UserPublic(u.id, u.email, u.name, u.org_id or 0, names.get(u.org_id or 0, ""), u.privileges)
        for u in user_store.list_users(uow.connection, subtree_ids(uow, org_id))
    ]


def set_privileges(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    user_id: int,
    privileges: list[str],
    now: datetime,
) -> UserPublic:
    """Replace a user's privileges; the user must belong to the organization or below."""
    visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    user = user_store.get_user(uow.connection, user_id)
    if user is None or user.is_operator or user.org_id not in subtree_ids(uow, org_id):
        raise NotFound(f"No user {user_id} in this organization.", code="unknown_user")
    if principal.name.startswith(f"user:{user_id}:") and "setup" not in privileges:
        raise InvalidInput(
            "You cannot remove your own Setup privilege; ask another admin.",
            code="own_setup_privilege",
        )
    granted = privileges_of(privileges)
    user_store.set_privileges(uow.connection, user_id, granted)
    org = org_store.get_org(uow.connection, user.org_id or 0)
    if list(user.privileges) != granted:
        audit.record(
            uow,
            principal,
            "user.privileges_changed",
            "user",
            user.id,
            {"email": user.email, "privileges": sorted(user.privileges)},
            {"email": user.email, "privileges": granted},
            at=now,
            org=org,
        )
    uow.commit()
    return UserPublic(
        user.id, user.email, user.name, user.org_id or 0, org.name if org else "", tuple(granted)
    )
