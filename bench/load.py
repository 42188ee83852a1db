"""HTTP load from wrk, a separate process on the loopback: bounded runs and
their figures (requests per second, median and 99th percentile latency)."""

import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("report.lua")
CONNECTIONS = 8
THREADS = 2  # one per core of the machine the figures come from
REQUEST_TIMEOUT = 10  # seconds; a slower answer counts as an error


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run(url: str, headers: dict, seconds: int, method: str = "GET", body: str = "") -> dict:
    """One wrk run of `seconds` against `url`, at CONNECTIONS connections."""
    command = [
        "wrk",
        f"--connections={CONNECTIONS}",
        f"--threads={THREADS}",
        f"--duration={seconds}s",
        f"--timeout={REQUEST_TIMEOUT}s",
        "--latency",
        f"--script={SCRIPT}",
        *(f"--header={name}: {value}" for name, value in headers.items()),
        url,
    ]
    environ = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body}
    result = subprocess.run(
        command, capture_output=True, text=True, env=environ, timeout=seconds + 60
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    errors = sum(value for key, value in summary.items() if key.endswith(("errors", "timeouts")))
    return {
        "requests": summary["requests"],
        "seconds": summary["duration_us"] / 1e6,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": errors,
    }


def combine(runs: list[dict]) -> dict:
    """Several runs of one service as one figure: each of its rate and
    latencies is the median run's. A stall of the shared machine halves the
    rate of the run it falls in; a total or a mean would carry that into the
    ratio, the median outvotes it."""
    rates = [each["requests"] / each["seconds"] if each["seconds"] else 0.0 for each in runs]
    return {
        "requests": sum(each["requests"] for each in runs),
        "seconds": round(sum(each["seconds"] for each in runs), 3),
        "rps": statistics.median(rates),
        "p50_ms": statistics.median(each["p50_ms"] for each in runs),
        "p99_ms": statistics.median(each["p99_ms"] for each in runs),
        "errors": sum(each["errors"] for each in runs),
        # Each run's rate, to see how much the figure moves from run to run.
        "rps_each": [round(rate) for rate in rates],
    }
