"""Domain errors as HTTP statuses, once, for the API's JSON errors and the portal's pages."""

from __future__ import annotations

from consentline.domain import errors

RETRY_AFTER_SECONDS = 5
"""What a 503 for an unavailable database asks the client (or carrier) to wait."""
CONFLICT = "Another request changed the same data at the same time; nothing was changed."
UNAVAILABLE = "The database is not available right now; nothing was changed. Try again shortly."

STATUS = {
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotEntitled: 403,
    errors.InheritedSetting: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.LineRetired: 409,
    errors.SettingConflict: 409,
    errors.GroupRefused: 409,
    errors.InvalidSetting: 422,
    errors.InvalidMessage: 422,
    errors.InvalidInput: 422,
}


def status_of(error: errors.DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400
