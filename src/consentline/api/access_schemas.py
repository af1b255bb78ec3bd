"""Request and response models of user and API key administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from consentline.api.schemas import ApiKeyCreated, ApiKeyPublic, PrivilegeName, Strict, UserDetail
from consentline.service.access import MAX_ID

UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]
KeyIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The API key's id.")]


class UserUpdate(Strict):
    """Only what is given changes."""

    active: bool | None = Field(
        default=None, description="false deactivates (the user's sessions end), true reactivates."
    )
    privileges: list[PrivilegeName] | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)


class UserList(BaseModel):
    items: list[UserDetail]


class PasswordResetPublic(BaseModel):
    user_id: int
    email: str
    reset_url: str = Field(description="Shown once; works once, until expires_at.")
    expires_at: datetime


class ApiKeyList(BaseModel):
    items: list[ApiKeyPublic]


class ApiKeyRotate(Strict):
    grace_hours: float = Field(
        default=24,
        ge=0,
        le=720,
        description="How long the old key keeps working (0: it stops at once).",
    )


class ApiKeyRotated(ApiKeyCreated):
    replaces: ApiKeyPublic = Field(description="The old key, with its new expires_at.")
