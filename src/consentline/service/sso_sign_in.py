"""Who a verified single sign-on is: a user of the provider's organization, by email.

Users are matched by email within the main organization and the organizations below it.
A user not found is created only when the organization set ``create_users`` (just-in-time
accounts; a bank usually wants accounts made on purpose), in the main organization. When a
privileges claim is set, the provider decides privileges: on every sign-in the user's
privileges become those the claim's values map to. The second factor is the provider's
business, so single sign-on asks for no TOTP code.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from consentline.service.id_token import Identity, SsoRefused
from consentline.service.orgs import add_user
from consentline.service.sign_in import SignedIn, audit_sign_in
from consentline.service.unit_of_work import UnitOfWork
from consentline.service.users import subtree_ids
from consentline.store import sessions as session_store, users as user_store
from consentline.store.sso import SsoRow


def privileges_from_claims(provider: SsoRow, identity: Identity) -> list[str] | None:
    """The privileges the claim grants, or None when no claim is set (keep them as they are)."""
    if provider.privileges_claim is None:
        return None
    value = identity.claims.get(provider.privileges_claim)
    values: Iterable[object] = (
        [value] if isinstance(value, str) else value if isinstance(value, list) else []
    )
    granted = {
        privilege for each in values for privilege in provider.claim_privileges.get(str(each), [])
    }
    return sorted(granted)


def sign_in_sso(uow: UnitOfWork, provider: SsoRow, identity: Identity, now: datetime) -> SignedIn:
    conn = uow.connection
    privileges = privileges_from_claims(provider, identity)
    user = user_store.find_by_email(conn, identity.email)
    if user is None:
        if not provider.create_users:
            raise SsoRefused(
                f"There is no ConsentLine user {identity.email}: ask an administrator of "
                "your organization to add you.",
                code="unknown_user",
            )
        created = add_user(
            uow,
            provider.root_id,
            identity.email,
            identity.name[:200],
            # Nobody knows this password: the account signs in through its provider.
            secrets.token_urlsafe(32),
            privileges or [],
            now,
            actor="sso",
        )
        new_user = user_store.get_user(conn, created.id)
        audit_sign_in(uow, "sign_in.succeeded", created.email, new_user, now, method="sso")
        uow.commit()
        return SignedIn(created.id, created.email)
    if user.is_operator or user.org_id not in subtree_ids(uow, provider.root_id):
        raise SsoRefused(
            f"{identity.email} belongs to another organization.", code="other_organization"
        )
    if not user.active:
        raise SsoRefused(
            f"{identity.email} is deactivated; ask an admin of your organization.",
            code="user_inactive",
        )
    if privileges is not None and sorted(user.privileges) != privileges:
        user_store.set_privileges(conn, user.id, privileges)
        # Privileges taken away end the user's other sessions, as any change by an admin does.
        if set(user.privileges) - set(privileges):
            session_store.delete_user_sessions(conn, user.id)
    user_store.clear_failures(conn, user.email)
    audit_sign_in(uow, "sign_in.succeeded", user.email, user, now, method="sso")
    uow.commit()
    return SignedIn(user.id, user.email)
