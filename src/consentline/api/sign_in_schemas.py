"""Request and response models of the sign-in settings: single sign-on and TOTP."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from consentline.api.schemas import PrivilegeName, Strict


class SsoUpdate(Strict):
    issuer: str = Field(
        max_length=500, description="The provider's issuer URL, exactly as its tokens name it."
    )
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str | None = Field(
        default=None,
        max_length=500,
        description="Required the first time; left out, the stored secret is kept.",
    )
    allowed_domains: list[str] = Field(
        min_length=1, max_length=50, description="Email domains that sign in through it."
    )
    label: str = Field(default="", max_length=100, description="Shown on the sign-in button.")
    privileges_claim: str | None = Field(
        default=None,
        max_length=100,
        description="A claim (such as groups) whose values map to privileges; unset, "
        "privileges are managed in ConsentLine.",
    )
    claim_privileges: dict[str, list[PrivilegeName]] = Field(
        default_factory=dict, description="Each claim value and the privileges it grants."
    )
    create_users: bool = Field(
        default=False,
        description="Create a user at the first sign-in of an unknown email (just in time).",
    )


class SsoPublic(BaseModel):
    org_id: int
    label: str
    issuer: str
    client_id: str
    client_secret_set: bool
    allowed_domains: list[str]
    privileges_claim: str | None
    claim_privileges: dict[str, list[str]]
    create_users: bool
    updated_at: datetime
    redirect_uri_path: str = "/login/sso/callback"
    sign_in_path: str


class SignInPolicy(Strict):
    require_totp: bool = Field(
        description="Password sign-in needs a TOTP code; users without one set it up first."
    )
