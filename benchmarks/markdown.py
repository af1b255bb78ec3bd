"""The tables of docs/performance.md from a run's results, in Markdown.

uv run python -m benchmarks.markdown [benchmarks/results/latest.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.run import RESULTS

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ENDPOINTS = {
    "outbound_new_contact": "outbound, new contact",
    "outbound_opted_in": "outbound, opted-in contact",
    "twilio_inbound_new_contact": "Twilio inbound, new contact",
}


def floors(results: dict[str, Any]) -> str:
    kinds = list(results["databases"])
    rows = [
        "| | " + " | ".join(NAMES.get(k, k) for k in kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    figures = [results["databases"][k] for k in kinds]
    floor = [f["store_floor_per_second"] for f in figures]
    service = [f["service_per_second"] for f in figures]
    rows.append("| store floor | " + " | ".join(f"{n:,.0f} msg/s" for n in floor) + " |")
    rows.append(
        "| service layer in-process | " + " | ".join(f"{n:,.0f} msg/s" for n in service) + " |"
    )
    ratios = " | ".join(f"**{s / f:.0%}**" for s, f in zip(service, floor, strict=True))
    rows.append(f"| **ratio to the store floor** | {ratios} |")
    return "\n".join(rows)


def http(results: dict[str, Any], kind: str) -> str:
    head = "| clients | /healthz per s (p99 ms) | " + " | ".join(ENDPOINTS.values()) + " |"
    rows = [head, "|---:|---:|" + "---:|" * len(ENDPOINTS)]
    for row in results["databases"][kind]["http"]:
        web = row["healthz"]
        cells = [str(row["clients"]), f"{web['per_second']:,.0f} ({web['p99_ms']:,.0f})"]
        for name in ENDPOINTS:
            m = row[name]
            errors = f", {m['errors']} errors" if m["errors"] else ""
            cells.append(
                f"{m['per_second']:,.0f}/s · {m['p50_ms']:,.0f}/{m['p99_ms']:,.0f} ms · "
                f"**{m['ratio_to_healthz']:.0%}**{errors}"
            )
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS / "latest.json"
    results = json.loads(path.read_text())
    machine = results["machine"]
    loads = [machine.get(f"load_average_at_{moment}") or [0.0] for moment in ("start", "end")]
    print(f"Load average (1 min) at start and end: {loads[0][0]:.1f}, {loads[1][0]:.1f}\n")
    print(floors(results) + "\n")
    for kind in results["databases"]:
        print(f"{NAMES.get(kind, kind)} (requests per second · p50/p99 · ratio to /healthz):\n")
        print(http(results, kind) + "\n")


if __name__ == "__main__":
    main()
