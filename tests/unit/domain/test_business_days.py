"""US business days for the FCC's 10-business-day revocation deadline. Holiday dates are
written out from the U.S. Office of Personnel Management's published calendars."""

from __future__ import annotations

from datetime import date

import pytest

from consentline.domain.business_days import (
    add_business_days,
    federal_holidays,
    is_business_day,
    revocation_deadline,
)


def test_2026_federal_holidays_as_opm_lists_them() -> None:
    assert sorted(federal_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),  # Martin Luther King Jr.
        date(2026, 2, 16),  # Washington's Birthday
        date(2026, 5, 25),  # Memorial Day
        date(2026, 6, 19),  # Juneteenth
        date(2026, 7, 3),  # Independence Day falls on a Saturday: observed Friday
        date(2026, 9, 7),  # Labor Day
        date(2026, 10, 12),  # Columbus Day
        date(2026, 11, 11),  # Veterans Day
        date(2026, 11, 26),  # Thanksgiving
        date(2026, 12, 25),
    ]


def test_sunday_holidays_move_to_monday_and_a_saturday_new_year_to_december() -> None:
    assert date(2027, 7, 5) in federal_holidays(2027)  # July 4, 2027 is a Sunday
    assert date(2027, 12, 24) in federal_holidays(2027)  # Christmas 2027 is a Saturday
    assert date(2027, 12, 31) in federal_holidays(2027)  # New Year 2028 is a Saturday
    assert date(2028, 1, 1) not in federal_holidays(2028)


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (date(2026, 1, 5), date(2026, 1, 20)),  # Monday; MLK day skipped
        (date(2026, 1, 10), date(2026, 1, 26)),  # a Saturday counts from Monday; MLK skipped
        (date(2026, 11, 20), date(2026, 12, 7)),  # Thanksgiving skipped
        (date(2026, 12, 21), date(2027, 1, 6)),  # Christmas and New Year skipped
    ],
)
def test_revocation_deadline_is_ten_business_days_later(received: date, deadline: date) -> None:
    assert revocation_deadline(received) == deadline


def test_business_days() -> None:
    assert is_business_day(date(2026, 1, 6))
    assert not is_business_day(date(2026, 1, 10))  # Saturday
    assert not is_business_day(date(2026, 1, 19))  # MLK
    assert add_business_days(date(2026, 1, 16), 1) == date(2026, 1, 20)
    assert add_business_days(date(2026, 1, 16), 0) == date(2026, 1, 16)
