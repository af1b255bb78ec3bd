"""Portal users of an organization: who they are, their privileges, whether they may sign in.

Each administrative action is one function here (or in ``service/passwords.py``), so that
the admin audit log can record it in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentline.domain.errors import Conflict, InvalidInput, NotFound
from consentline.service import audit
from consentline.service.access import Principal, Privilege, visible_org
from consentline.service.orgs import privileges_of, valid_name
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import orgs as org_store, sessions as session_store, users as user_store
from consentline.store.users import UserRow


@dataclass(frozen=True)
class UserPublic:
    id: int
    email: str
    name: str
    org_id: int
    org_name: str
    privileges: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class UserChange:
    """What one update did: the user before and after, and how many sessions it ended."""

    before: UserPublic
    after: UserPublic
    sessions_ended: int

    @property
    def actions(self) -> list[str]:
        """The audit actions this change amounts to, e.g. ``["user.deactivated"]``."""
        found = []
        if self.before.active != self.after.active:
            found.append("user.reactivated" if self.after.active else "user.deactivated")
        if self.before.privileges != self.after.privileges:
            found.append("user.privileges_changed")
        if self.before.name != self.after.name:
            found.append("user.renamed")
        return found


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


def _public(uow: UnitOfWork, user: UserRow) -> UserPublic:
    org = org_store.get_org(uow.connection, user.org_id or 0)
    return UserPublic(
        user.id,
        user.email,
        user.name,
        user.org_id or 0,
        org.name if org else "",
        user.privileges,
        user.active,
    )


def list_users(uow: UnitOfWork, principal: Principal, org_id: int) -> list[UserPublic]:
    """The users of the organization and of every organization below it."""
    org = visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    names = {each.id: each.name for each in org_store.list_orgs(uow.connection, org.root_id)}
    return [
        UserPublic(
            u.id,
            u.email,
            u.name,
            u.org_id or 0,
            names.get(u.org_id or 0, ""),
            u.privileges,
            u.active,
        )
        for u in user_store.list_users(uow.connection, subtree_ids(uow, org_id))
    ]


def managed_user(uow: UnitOfWork, principal: Principal, org_id: int, user_id: int) -> UserRow:
    """A user the caller may administer: Setup, and the user in the organization or below."""
    visible_org(uow.connection, principal, org_id)
    principal.require(Privilege.SETUP)
    user = user_store.get_user(uow.connection, user_id)
    if user is None or user.is_operator or user.org_id not in subtree_ids(uow, org_id):
        raise NotFound(f"No user {user_id} in this organization.", code="unknown_user")
    return user


def is_caller(principal: Principal, user_id: int) -> bool:
    return principal.name.startswith(f"user:{user_id}:")


def _keeps_an_admin(uow: UnitOfWork, user: UserRow) -> None:
    """Refuse to leave the user's organization without an active user holding Setup there
    or above (who could otherwise bring anyone back?)."""
    conn = uow.connection
    org = org_store.get_org(conn, user.org_id or 0)
    if org is None:
        return
    others = [
        u
        for u in user_store.list_users(conn, org_store.ancestor_ids(conn, org))
        if u.id != user.id and u.active and Privilege.SETUP.value in u.privileges
    ]
    if not others:
        raise Conflict(
            f"{user.email} is the last active user with Setup in {org.name}: give Setup to "
            "another user first.",
            code="last_setup_user",
        )


def update_user(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    user_id: int,
    now: datetime,
    *,
    active: bool | None = None,
    privileges: list[str] | None = None,
    name: str | None = None,
    current_session: int | None = None,
) -> UserChange:
    """Deactivate or reactivate a user, replace their privileges, or rename them.

    Deactivating or taking a privilege away ends the user's sessions at once (but the
    caller's own ``current_session``). Nothing changes when any part is refused.
    """
    user = managed_user(uow, principal, org_id, user_id)
    before = _public(uow, user)
    conn = uow.connection
    own = is_caller(principal, user_id)
    granted = privileges_of(privileges) if privileges is not None else list(user.privileges)
    new_name = valid_name(name, "user name") if name is not None else user.name
    new_active = user.active if active is None else active
    if own and not new_active:
        raise InvalidInput("You cannot deactivate yourself; ask another admin.", code="own_account")
    if own and Privilege.SETUP.value not in granted:
        raise InvalidInput(
            "You cannot remove your own Setup privilege; ask another admin.",
            code="own_setup_privilege",
        )
    was_admin = user.active and Privilege.SETUP.value in user.privileges
    stays_admin = new_active and Privilege.SETUP.value in granted
    if was_admin and not stays_admin:
        _keeps_an_admin(uow, user)
    if new_active != user.active:
        user_store.set_active(conn, user_id, new_active)
    if tuple(granted) != user.privileges:
        user_store.set_privileges(conn, user_id, granted)
    if new_name != user.name:
        user_store.set_name(conn, user_id, new_name)
    ended = 0
    if not new_active or set(user.privileges) - set(granted):
        ended = session_store.delete_user_sessions(conn, user_id, keep=current_session)
    after = _public(uow, user_store.get_user(conn, user_id) or user)
    change = UserChange(before, after, ended)
    org = org_store.get_org(conn, user.org_id or 0)
    for action in change.actions:
        audit.record(
            uow,
            principal,
            action,
            "user",
            user.id,
            _audited(before),
            _audited(after),
            at=now,
            org=org,
        )
    uow.commit()
    return change


def _audited(user: UserPublic) -> dict[str, object]:
    return {
        "email": user.email,
        "name": user.name,
        "privileges": sorted(user.privileges),
        "active": user.active,
    }


def set_privileges(
    uow: UnitOfWork,
    principal: Principal,
    org_id: int,
    user_id: int,
    privileges: list[str],
    now: datetime,
    *,
    current_session: int | None = None,
) -> UserPublic:
    """Replace a user's privileges; the user must belong to the organization or below."""
    change = update_user(
        uow,
        principal,
        org_id,
        user_id,
        now,
        privileges=privileges,
        current_session=current_session,
    )
    return change.after
