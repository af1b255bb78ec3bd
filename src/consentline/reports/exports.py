"""Report rows as CSV (streamed text) and XLSX (openpyxl write-only, rows flushed to disk)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from consentline.domain import labels
from consentline.reports.sms_optin import COLUMNS

CSV_BATCH = 1000
# The spreadsheet is read by people: plain names for the engine's keys. The CSV keeps the
# keys, as the API does, for the archivers and scripts that ingest it.
FOR_PEOPLE: dict[str, Callable[[str | None], str]] = {
    "state": labels.state,
    "mode": labels.mode,
    "channel": labels.channel,
}


Columns = Sequence[tuple[str, str]]


def _cells(row: dict[str, Any], columns: Columns = COLUMNS) -> list[Any]:
    # Numbers stay as they are: a phone number in E.164 starts with "+" by design.
    return [row[key] if key in ("line", "contact") else _safe(row[key]) for key, _ in columns]


def _safe(value: Any) -> Any:
    """Neutralize spreadsheet formulas in text that came from outside (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[dict[str, Any]], columns: Columns = COLUMNS) -> Iterator[bytes]:
    """The CSV as byte chunks of ``CSV_BATCH`` rows, after a UTF-8 BOM for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in columns])
    yield "\ufeff".encode()
    for count, row in enumerate(rows, start=1):
        writer.writerow(_cells(row, columns))
        if count % CSV_BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(rows: Iterable[dict[str, Any]], path: Path, title: str) -> int:
    """Write the report to ``path``; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([title for _, title in COLUMNS])
    count = 0
    for row in rows:
        readable = {**row, **{key: name(row[key]) for key, name in FOR_PEOPLE.items()}}
        sheet.append(
            [
                _safe(c) if isinstance(c, str) and key not in ("line", "contact") else c
                for (key, _), c in zip(COLUMNS, _cells(readable), strict=True)
            ]
        )
        count += 1
    workbook.save(path)
    return count
