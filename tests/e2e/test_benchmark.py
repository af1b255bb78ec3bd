"""The benchmark of docs/performance.md runs end to end in a tiny mode: a real server, wrk
as the client, every endpoint measured and answered as expected. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {
    "healthz": "200",
    "outbound_new_contact": "201",
    "outbound_opted_in": "201",
    "twilio_inbound_new_contact": "200",
}


def test_the_benchmark_measures_every_endpoint_with_wrk_in_a_tiny_mode(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.run", "--databases", "sqlite", "--seconds", "1"]
    command += ["--clients", "2", "--contacts", "10", "--output", str(tmp_path), "--no-chart"]
    subprocess.run(command, cwd=ROOT, check=True, timeout=180, capture_output=True)

    results = json.loads((tmp_path / "latest.json").read_text())
    sqlite = results["databases"]["sqlite"]
    assert sqlite["store_floor_per_second"] > 0
    assert sqlite["service_per_second"] > 0
    [point] = sqlite["http"]
    assert point["clients"] == 2
    for name, status in ENDPOINTS.items():
        load = point[name]
        # Every request wrk counted was answered with the endpoint's success status: the
        # API key, the JSON and Twilio's signature computed in Lua were all accepted.
        assert load["requests"] > 0, name
        assert load["statuses"] == {status: load["requests"]}, name
        assert load["errors"] == 0, name
        assert load["p50_ms"] <= load["p99_ms"] <= load["max_ms"], name
    # Each new contact on the Twilio line was asked to opt in through Twilio's API.
    assert sqlite["sent_through_twilio"] >= point["twilio_inbound_new_contact"]["requests"]
