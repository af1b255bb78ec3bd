"""Talking to one Salesforce org: OAuth 2.0 username-password login, then sObject upserts.

The login is a POST to ``<login_url>/services/oauth2/token`` (a Connected App's client id
and secret, and the integration user's name and password plus security token); the upsert
is simple-salesforce's ``PATCH /services/data/vXX.X/sobjects/<Object>/<ExternalIdField>/<id>``,
which creates the record the first time and updates the same record on every retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from simple_salesforce import Salesforce  # type: ignore[attr-defined]
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
)

TIMEOUT = 20


class LoginFailed(Exception):
    """Salesforce refused the credentials (not worth retrying until they change)."""


class Retryable(Exception):
    """A failure that may pass: a network error, a 5xx, rate limiting."""


class Rejected(Exception):
    """Salesforce refused the record itself (a 4xx): retrying the same data cannot help."""


@dataclass(frozen=True)
class SalesforceSettings:
    login_url: str
    api_version: str
    client_id: str
    client_secret: str
    username: str
    password: str
    sobject: str
    external_id_field: str

    def __repr__(self) -> str:  # never show the secrets
        return f"SalesforceSettings({self.login_url!r}, {self.username!r}, {self.sobject!r})"


class SalesforceClient:
    def __init__(self, settings: SalesforceSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        self._api: Any = None

    def login(self) -> None:
        url = self.settings.login_url.rstrip("/") + "/services/oauth2/token"
        form = {
            "grant_type": "password",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "username": self.settings.username,
            "password": self.settings.password,
        }
        try:
            response = self.session.post(url, data=form, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise Retryable(f"login: {type(error).__name__}") from None
        if response.status_code >= 500:
            raise Retryable(f"login: HTTP {response.status_code}")
        body = response.json() if response.content else {}
        if response.status_code != 200 or "access_token" not in body:
            raise LoginFailed(f"login refused: {body.get('error_description') or body}")
        self._api = Salesforce(
            instance_url=body["instance_url"],
            session_id=body["access_token"],
            version=self.settings.api_version,
            session=self.session,
        )

    def upsert(self, external_id: str, fields: dict[str, Any]) -> str | None:
        """Create or update the record with this external id; its Salesforce id if given."""
        if self._api is None:
            self.login()
        try:
            return self._upsert(external_id, fields)
        except SalesforceExpiredSession:
            self.login()
            return self._upsert(external_id, fields)

    def _upsert(self, external_id: str, fields: dict[str, Any]) -> str | None:
        sobject = getattr(self._api, self.settings.sobject)
        try:
            response = sobject.upsert(
                f"{self.settings.external_id_field}/{external_id}", fields, raw_response=True
            )
        except SalesforceExpiredSession:
            raise
        except SalesforceGeneralError as error:
            raise Retryable(f"HTTP {error.status}: {_first_error(error.content)}") from None
        except SalesforceError as error:
            if error.status in (429, 503):
                raise Retryable(f"HTTP {error.status}: {_first_error(error.content)}") from None
            raise Rejected(f"HTTP {error.status}: {_first_error(error.content)}") from None
        except requests.RequestException as error:
            raise Retryable(type(error).__name__) from None
        body = response.json() if response.content else {}
        record_id = body.get("id") if isinstance(body, dict) else None
        return str(record_id) if record_id else None


def _first_error(content: Any) -> str:
    """Salesforce answers errors as ``[{"message": ..., "errorCode": ...}]``."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return f"{content[0].get('errorCode')}: {content[0].get('message')}"
    return str(content)[:300]
