"""Password strength: each rule refuses with its own reason; a decent password passes."""

from __future__ import annotations

import pytest

from consentline.domain.passwords import weakness


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pw", "at least 10 characters"),
        ("x" * 1001, "at most 1000 characters"),
        ("Password123", "most common ones"),
        ("abababababab", "at least 5 different characters"),
        ("my pat.person password", "must not contain your email address"),
        ("hello Pat Person!", "must not contain your name"),
    ],
)
def test_a_weak_password_is_refused_with_its_reason(password: str, reason: str) -> None:
    problem = weakness(password, email="pat.person@bank.test", name="Pat Person")
    assert problem is not None
    assert reason in problem


def test_a_decent_password_passes() -> None:
    assert weakness("correct horse battery", email="pat@bank.test", name="Pat") is None
