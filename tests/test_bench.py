"""`make bench` cannot rot: its smoke run, every part of the harness briefly
(one boot of each service, one-second wrk runs on SQLite, a few tasks on one
broker, no suite timing), yields every figure of the table for the floor and
the generated service. Nothing here is timed: the figures only have to exist."""

import json
import math
import shutil
import subprocess
import sys

import pytest

from harness import TEMPLATE_DIR, skip_or_fail

# In make test's load process: wrk loads the services.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

ENDPOINTS = [
    "GET /",
    "GET /notes/, logged in",
    "GET /api/v1/notes",
    "POST /api/v1/notes",
    "GET /healthz",
]
# The same POST on the generated service, against itself with REQUEST_BODY_SECONDS=0.
BODY_BOUND = "POST /api/v1/notes, bodies read ahead (floor: REQUEST_BODY_SECONDS=0)"
WEB_FIGURES = [
    *(
        f"{endpoint}, {measure}"
        for endpoint in [*ENDPOINTS, BODY_BOUND]
        for measure in ("req/s", "p50", "p99")
    ),
    "boot to first 200",
    "web dyno memory (PSS, master + 2 workers, after the load)",
]
TASK_FIGURES = [
    "task round trip, p50",
    "task round trip, p99",
    "tasks per second, one worker",
    "worker dyno memory (PSS, after the tasks)",
]


def positive(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_the_bench_smoke_run_yields_every_figure_for_both_services(tmp_path):
    if shutil.which("wrk") is None:
        skip_or_fail("wrk is not installed: apt-get install wrk (Debian's package)")
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", f"--output={tmp_path}"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    document = json.loads((tmp_path / "latest.json").read_text())
    assert document["run"]["smoke"] is True
    rows = {(row["figure"], row["on"]): row for row in document["figures"]}
    brokers = {on for (figure, on) in rows if figure in TASK_FIGURES}
    assert len(brokers) == 1 and brokers <= {"Redis", "embedded queue"}, brokers
    (broker,) = brokers
    expected = [(figure, "SQLite") for figure in WEB_FIGURES]
    expected += [(figure, broker) for figure in TASK_FIGURES]
    assert sorted(rows) == sorted(expected)
    for key, row in rows.items():
        assert positive(row["floor"]) and positive(row["generated"]), (key, row)
        assert math.isclose(row["ratio"], row["generated"] / row["floor"], rel_tol=0.01), row
    assert not document["problems"], document["problems"]  # no failed request, no stray cookie

    table = (tmp_path / "latest.md").read_text()
    for figure, on in expected:
        assert f"| {figure} | {on} |" in table
