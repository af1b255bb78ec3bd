"""The verification snippet the README gives app developers works on our real callbacks."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from consentline.providers.employee_app import sign

README = Path(__file__).parents[3] / "README.md"


def _snippet() -> Any:
    text = README.read_text()
    code = re.search(r"```python\n(def verify_consentline.*?|import hashlib.*?)```", text, re.S)
    assert code is not None, "the README lost its verification snippet"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 (our own README)
    return namespace["verify_consentline"]


def test_the_readme_snippet_accepts_our_signature_and_refuses_a_forgery() -> None:
    verify_consentline = _snippet()
    body = b'{"id":1,"body":"Hi"}'
    timestamp = str(int(time.time()))
    headers = {
        "X-ConsentLine-Timestamp": timestamp,
        "X-ConsentLine-Signature": sign("app-secret", timestamp, body),
    }
    assert verify_consentline("app-secret", headers, body)
    assert not verify_consentline("app-secret", headers, body.replace(b"Hi", b"Yo"))
    assert not verify_consentline("other-secret", headers, body)
    old = str(int(time.time()) - 3600)
    stale = {
        "X-ConsentLine-Timestamp": old,
        "X-ConsentLine-Signature": sign("app-secret", old, body),
    }
    assert not verify_consentline("app-secret", stale, body)
