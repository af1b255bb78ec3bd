"""The report's chart data: its rows counted by state and by day of their last change.

The same filters as the table, so the chart's totals are the table's; the range runs from
the first to the last day with data (or the dates asked for), folded into weeks or months
when long.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from consentline.domain import labels
from consentline.domain.settings import Mode
from consentline.reports.sms_optin import ReportFilter, counts_by_day
from consentline.service.report_scope import Scope

MODE_STATES = {
    Mode.CONSENT: ("opted_in", "opted_out", "pending"),
    Mode.DISCLAIMER: ("disclaimer_sent", "opted_out"),
}


@dataclass(frozen=True)
class Timeline:
    buckets: list[date]
    unit: str  # "day", "week" or "month"
    counts: dict[str, list[int]]  # state -> one count per bucket

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(series) for key, series in self.counts.items()}

    def name(self, key: str) -> str:
        return labels.state(key)


def _bucket(day: date, unit: str) -> date:
    if unit == "month":
        return day.replace(day=1)
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def unit_for(start: date, end: date) -> str:
    span = (end - start).days
    return "day" if span <= 31 else "week" if span <= 190 else "month"


def buckets_between(start: date, end: date, unit: str) -> list[date]:
    buckets, cursor = [], _bucket(start, unit)
    while cursor <= end:
        buckets.append(cursor)
        if unit == "month":
            cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            cursor += timedelta(days=7 if unit == "week" else 1)
    return buckets


def timeline(conn: Connection, scope: Scope, report: ReportFilter, today: date) -> Timeline:
    rows = [(_as_date(day), state, int(n)) for day, state, n in counts_by_day(conn, scope, report)]
    states = list(MODE_STATES[report.mode])
    states += sorted({state for _, state, _ in rows} - set(states))
    if not rows and not (report.start and report.end):
        return Timeline([], "day", {key: [] for key in states})
    days = [day for day, _, _ in rows]
    start = report.start or min(days, default=today)
    end = report.end or max(days, default=today)
    unit = unit_for(start, end)
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for day, state, n in rows:
        totals[(_bucket(day, unit), state)] += n
    buckets = buckets_between(start, end, unit)
    return Timeline(buckets, unit, {key: [totals[(b, key)] for b in buckets] for key in states})
