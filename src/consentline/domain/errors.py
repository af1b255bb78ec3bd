"""Domain errors. The API maps each to one HTTP status in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A request the policy refuses. ``code`` is stable; the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidSetting(DomainError):
    code = "invalid_setting"


class SettingConflict(DomainError):
    code = "setting_conflict"


class NotEntitled(DomainError):
    code = "not_entitled"


class InheritedSetting(DomainError):
    code = "inherited_setting"


class InvalidMessage(DomainError):
    code = "invalid_message"


class GroupRefused(DomainError):
    code = "group_refused"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid_input"


class LineRetired(Conflict):
    """A retired line takes no new messages; its archive stays."""

    code = "line_retired"
