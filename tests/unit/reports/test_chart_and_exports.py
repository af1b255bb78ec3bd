"""The report's pure parts: the SVG chart and the CSV/XLSX writers."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook  # type: ignore[import-untyped]

from consentline.reports import exports
from consentline.reports.chart import render_svg
from consentline.reports.sms_optin import COLUMNS
from consentline.reports.timeline import Timeline

SVG = "{http://www.w3.org/2000/svg}"


def _timeline() -> Timeline:
    days = [date(2026, 1, d) for d in (5, 6, 7)]
    return Timeline(
        days, "day", {"opted_in": [0, 2, 1], "opted_out": [1, 0, 0], "pending": [3, 1, 0]}
    )


def test_the_chart_is_valid_svg_with_one_bar_group_per_series() -> None:
    root = ElementTree.fromstring(render_svg(_timeline(), "Records <per day>"))  # noqa: S314
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Records <per day>"  # type: ignore[union-attr]
    groups = {g.get("data-series"): g for g in root.iter(f"{SVG}g")}
    assert list(groups) == ["opted_in", "opted_out", "pending"]
    assert groups["opted_in"].get("data-total") == "3"
    assert len(groups["pending"].findall(f"{SVG}rect")) == 2  # no bar for a zero
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text and "(" in t.text]
    assert legend == ["Opted in (3)", "Opted out (1)", "Pending consent (4)"]
    assert "style=" not in render_svg(_timeline(), "t")  # CSP: no inline styles


def test_bars_stack_so_every_series_shows_and_the_tallest_reaches_the_top() -> None:
    root = ElementTree.fromstring(render_svg(_timeline(), "t"))  # noqa: S314
    first_day = [
        (g.get("data-series"), float(r.get("y", 0)), float(r.get("height", 0)))
        for g in root.iter(f"{SVG}g")
        for r in g.findall(f"{SVG}rect")
        if "01-05" in (r.findtext(f"{SVG}title") or "")
    ]
    # Day 1: 1 opt-out under 3 pending, a stack of 4 (the peak), touching the top margin.
    assert [series for series, _, _ in first_day] == ["opted_out", "pending"]
    assert min(y for _, y, _ in first_day) == 16.0
    heights = [h for _, _, h in first_day]
    assert heights[1] == 3 * heights[0]


def test_an_empty_range_says_so() -> None:
    empty = Timeline([], "day", {"opted_in": [], "opted_out": [], "pending": []})
    assert "No consent record in this range" in render_svg(empty, "t")


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {key: None for key, _ in COLUMNS}
    row.update(organization="Bank", employee="Ada", line="+15550001001", contact="+15557770001")
    row.update(overrides)
    return row


def test_csv_streams_in_chunks_with_a_bom_and_neutralized_formulas() -> None:
    rows = [_row(deciding_message="=1+1" if n == 0 else "YES") for n in range(2500)]
    chunks = list(exports.csv_chunks(iter(rows)))
    assert chunks[0] == "\ufeff".encode()
    assert len(chunks) == 4  # BOM, 1000, 1000, 500 rows: nothing is held back till the end
    parsed = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert parsed[0] == [title for _, title in COLUMNS]
    assert len(parsed) == 2501
    assert parsed[1][10] == "'=1+1"
    assert parsed[1][3] == "+15550001001"  # numbers are kept as they are


def test_xlsx_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    assert exports.write_xlsx(iter([_row(state="opted_in")]), path, "SMS Opt-In (consent)") == 1
    sheet = load_workbook(path, read_only=True).worksheets[0]
    assert sheet.title == "SMS Opt-In (consent)"
    header, values = list(sheet.iter_rows(values_only=True))
    record = dict(zip(header, values, strict=False))
    assert record["State"] == "Opted in"  # people read the spreadsheet; the CSV keeps keys
