"""The consent CSV that imports read and exports write. Pure.

Columns: ``line`` (a line's number or id; empty for every line of the organization),
``contact``, ``channel`` (``sms`` when empty), ``state`` (``opted_in``/``opted_out``),
``decided_at`` (ISO 8601; UTC when no offset is given), ``source_system``, ``evidence``.
Rows are named by their line number in the file, the header being line 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from consentline.domain.consent import State
from consentline.domain.errors import InvalidInput
from consentline.domain.messages import Channel
from consentline.domain.phone import to_e164
from consentline.domain.timefmt import iso_z

COLUMNS = ("line", "contact", "channel", "state", "decided_at", "source_system", "evidence")
REQUIRED = ("contact", "state")
MAX_FIELD = 2000
MAX_SOURCE_SYSTEM = 200
STATES = {State.OPTED_IN.value: State.OPTED_IN, State.OPTED_OUT.value: State.OPTED_OUT}


@dataclass(frozen=True)
class ImportRow:
    row: int
    line: str | None
    contact: str
    channel: Channel
    state: State
    decided_at: datetime | None
    source_system: str | None
    evidence: str | None


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    invalid: list[RowProblem]


def unreadable(message: str) -> InvalidInput:
    return InvalidInput(message, code="unreadable_csv")


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise unreadable("The file is not a CSV text file (it contains NUL bytes).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise unreadable(
            f"The file is not UTF-8 text (a bad byte at offset {error.start})."
        ) from None


def parse(data: bytes, now: datetime, region: str = "US") -> ParsedFile:
    """Every row read and checked; a file that cannot be read at all raises InvalidInput."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise unreadable("The file is empty: the first line must name the columns.")
        names = [cell.strip().lower() for cell in header]
        _check_header(names)
        rows: list[ImportRow] = []
        invalid: list[RowProblem] = []
        start = reader.line_num + 1
        for cells in reader:
            number = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                invalid.append(
                    RowProblem(number, f"expected {len(names)} fields, found {len(cells)}")
                )
                continue
            try:
                rows.append(_row(number, dict(zip(names, cells, strict=True)), now, region))
            except InvalidInput as problem:
                invalid.append(RowProblem(number, problem.message))
    except csv.Error as error:
        raise unreadable(f"Line {reader.line_num}: the file is not valid CSV ({error}).") from None
    return ParsedFile(rows, invalid)


def _check_header(names: list[str]) -> None:
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if unknown:
        problems.append("unknown column(s) " + ", ".join(repr(n) for n in unknown))
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if repeated:
        problems.append("repeated column(s) " + ", ".join(repeated))
    if problems:
        raise unreadable(
            "Line 1 (the header): "
            + "; ".join(problems)
            + ". The columns are "
            + ", ".join(COLUMNS)
            + "."
        )


def _row(number: int, cells: dict[str, str], now: datetime, region: str) -> ImportRow:
    def text(name: str, limit: int = MAX_FIELD) -> str | None:
        value = cells.get(name, "").strip()
        if len(value) > limit:
            raise InvalidInput(f"{name} is longer than {limit} characters")
        return value or None

    state_text = (text("state") or "").lower()
    if state_text not in STATES:
        raise InvalidInput(f"state must be opted_in or opted_out, not {state_text!r}")
    channel_text = (text("channel") or Channel.SMS.value).lower()
    if channel_text not in {c.value for c in Channel}:
        raise InvalidInput(f"channel must be sms or whatsapp, not {channel_text!r}")
    contact = text("contact")
    if contact is None:
        raise InvalidInput("contact is empty")
    try:
        phone = to_e164(contact, region)
    except InvalidInput as problem:
        raise InvalidInput(f"contact: {problem.message}") from None
    return ImportRow(
        row=number,
        line=text("line", 40),
        contact=phone,
        channel=Channel(channel_text),
        state=STATES[state_text],
        decided_at=_moment(text("decided_at", 40), now),
        source_system=text("source_system", MAX_SOURCE_SYSTEM),
        evidence=text("evidence"),
    )


def _moment(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"decided_at {value!r} is not a date and time (write 2024-05-01T14:30:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now:
        raise InvalidInput(f"decided_at {value!r} is in the future")
    return moment.astimezone(UTC)


def format_rows(rows: Iterable[tuple[object, ...]]) -> Iterator[str]:
    """The header and the rows as CSV text, one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if cell is None else _cell(cell) for cell in row])
        yield buffer.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return iso_z(value)
    text = str(value)
    # Spreadsheets run cells that begin with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    return text[1:].replace(" ", "").isdigit()
