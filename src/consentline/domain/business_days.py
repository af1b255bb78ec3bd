"""US business days: the FCC's 10-business-day deadline for honoring a revocation.

A business day is Monday to Friday except the federal holidays of 5 U.S.C. 6103, computed
for any year: New Year's Day, Martin Luther King Jr. Day (3rd Monday of January),
Washington's Birthday (3rd Monday of February), Memorial Day (last Monday of May),
Juneteenth (June 19), Independence Day, Labor Day (1st Monday of September), Columbus Day
(2nd Monday of October), Veterans Day (November 11), Thanksgiving (4th Thursday of
November) and Christmas. A fixed-date holiday on a Saturday is observed the Friday before,
on a Sunday the Monday after (Executive Order 11582).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

REVOCATION_BUSINESS_DAYS = 10
_MONDAY, _THURSDAY = 0, 3


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    after = date(year + (month == 12), month % 12 + 1, 1)
    last = after - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """The days federal offices are closed in ``year`` (observed dates)."""
    fixed = [(1, 1), (6, 19), (7, 4), (11, 11), (12, 25)]
    days = {_observed(date(year, month, day)) for month, day in fixed}
    days |= {
        _nth_weekday(year, 1, _MONDAY, 3),
        _nth_weekday(year, 2, _MONDAY, 3),
        _last_weekday(year, 5, _MONDAY),
        _nth_weekday(year, 9, _MONDAY, 1),
        _nth_weekday(year, 10, _MONDAY, 2),
        _nth_weekday(year, 11, _THURSDAY, 4),
    }
    # New Year's Day of next year on a Saturday is observed on Dec 31 of this one.
    if date(year + 1, 1, 1).weekday() == 5:
        days.add(date(year, 12, 31))
    return frozenset(day for day in days if day.year == year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def revocation_deadline(received: date) -> date:
    """The last day to honor a revocation received on ``received``."""
    return add_business_days(received, REVOCATION_BUSINESS_DAYS)
