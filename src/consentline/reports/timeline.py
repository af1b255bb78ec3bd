"""Opt-ins, opt-outs and opt-in requests over time, for the report's chart.

Counts consent events (the record's history, not its current state) per day in SQL, then
folds days into weeks or months in Python when the range is long.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, func, select

from consentline.reports.sms_optin import ReportFilter, Scope
from consentline.store.tables import consent_events, conversations, lines

SERIES = {"opted_in": "Opt-ins", "opted_out": "Opt-outs", "pending": "Pending requests"}


@dataclass(frozen=True)
class Timeline:
    buckets: list[date]
    unit: str  # "day", "week" or "month"
    counts: dict[str, list[int]]  # series key -> one count per bucket


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


def timeline(conn: Connection, scope: Scope, report: ReportFilter, today: date) -> Timeline:
    end = report.end or today
    start = report.start or end - timedelta(days=89)
    span = (end - start).days
    unit = "day" if span <= 62 else "week" if span <= 370 else "month"
    day = func.date(consent_events.c.created_at)
    query = (
        select(day.label("day"), consent_events.c.new_state, func.count().label("n"))
        .join(conversations, conversations.c.id == consent_events.c.conversation_id)
        .join(lines, lines.c.id == conversations.c.line_id)
        .where(
            conversations.c.root_id == scope.root_id,
            lines.c.org_id.in_(sorted(scope.org_ids)),
            consent_events.c.mode == report.mode.value,
            consent_events.c.new_state.in_(list(SERIES)),
            consent_events.c.created_at >= datetime.combine(start, time(0), UTC),
            consent_events.c.created_at < datetime.combine(end + timedelta(days=1), time(0), UTC),
        )
        .group_by(day, consent_events.c.new_state)
    )
    if report.employee:
        query = query.where(func.lower(lines.c.employee_name) == report.employee.strip().lower())
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for row in conn.execute(query):
        totals[(_bucket(_as_date(row.day), unit), row.new_state)] += int(row.n)
    buckets, cursor = [], _bucket(start, unit)
    while cursor <= end:
        buckets.append(cursor)
        if unit == "month":
            cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            cursor += timedelta(days=7 if unit == "week" else 1)
    counts = {key: [totals[(b, key)] for b in buckets] for key in SERIES}
    return Timeline(buckets, unit, counts)
