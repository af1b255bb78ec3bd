"""A real OpenID Connect provider for the tests: ``oidc-provider-mock`` (Authlib's server
side, on Flask), on a loopback port in a thread, never a provider of our own.

It signs ID tokens with its own RSA key and serves discovery, JWKS, the authorization
form, the token endpoint and a ``PUT /users/{sub}`` to set a user's claims.

To see what our callback does with a token that is wrong in one way only (a wrong
signature, issuer, audience, nonce, or an expired token), a test sets ``rewrite``: a hook
after the provider's own token endpoint re-signs the ID token it just issued, with one claim
changed, using the provider's own key (so only that claim is wrong), or with a key the
provider never published (so only the signature is wrong). Everything else in the flow is
the provider's own work.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import flask
import oidc_provider_mock
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

Rewrite = Callable[[dict[str, Any], RSAKey], tuple[dict[str, Any], RSAKey]]


@dataclass
class Provider:
    issuer: str
    rewrite: Rewrite | None = None
    issued: list[str] = field(default_factory=list)

    def set_user(self, sub: str, **claims: Any) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, url: str, sub: str) -> str:
        """Act as the person at the provider's form: sign in as ``sub``; where it sends
        the browser back to (the callback URL with the code and state)."""
        assert url.startswith(self.issuer + "/oauth2/authorize?"), url
        response = requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])


def _tamper(provider: Provider) -> Callable[[flask.Response], flask.Response]:
    def after_request(response: flask.Response) -> flask.Response:
        if flask.request.path != "/oauth2/token" or response.status_code != 200:
            return response
        body = response.get_json()
        provider.issued.append(body["id_token"])
        if provider.rewrite is None:
            return response
        storage = flask.g.oidc_provider_mock_storage
        key = RSAKey.import_key(storage.jwk.as_dict(is_private=True))
        token = jwt.decode(body["id_token"], key)
        claims, signer = provider.rewrite(dict(token.claims), key)
        header = {"alg": "RS256"}
        if key.kid:
            header["kid"] = key.kid  # the provider's key id, even when re-signed
        body["id_token"] = jwt.encode(header, claims, signer)
        response.set_data(json.dumps(body))
        return response

    return after_request


@contextmanager
def running_provider() -> Iterator[Provider]:
    app = oidc_provider_mock.app()
    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    provider = Provider(issuer=f"http://localhost:{server.server_port}")
    app.after_request(_tamper(provider))
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def other_key() -> RSAKey:
    """A key the provider never published."""
    return RSAKey.generate_key(2048, private=True)
