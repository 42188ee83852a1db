"""The bench's one table: each figure for the floor and the generated service,
their ratio, and its target; written as JSON and as Markdown."""

import json
from pathlib import Path

# The targets the generated service is held to. A ratio is always generated / floor.
AT_LEAST_OF_FLOOR = ("ratio", ">=")
AT_MOST_OF_FLOOR = ("ratio", "<=")
UNDER = ("value", "<")
RPS_TARGET = (*AT_LEAST_OF_FLOOR, 0.8)
P99_TARGET = (*AT_MOST_OF_FLOOR, 1.5)
BOOT_TARGET = (*AT_MOST_OF_FLOOR, 1.5)
MEMORY_TARGET = (*AT_MOST_OF_FLOOR, 1.3)
REDIS_ROUND_TRIP_TARGET = (*UNDER, 20)
SUITE_TARGET = (*UNDER, 10)

HIGHER_IS_BETTER = ("req/s", "tasks/s")


def row(figure, on, unit, floor, generated, target=None, **details) -> dict:
    """One figure; `floor` is None where there is no floor to compare with."""
    ratio = generated / floor if floor else None
    return {
        "figure": figure,
        "on": on,
        "unit": unit,
        "floor": rounded(floor),
        "generated": rounded(generated),
        "ratio": rounded(ratio),
        "target": target_text(target, unit),
        "meets": meets(target, ratio, generated),
        **details,
    }


def rounded(value: float | None) -> float | None:
    """Three significant digits at least: enough for figures this noisy, and
    a committed result that reads well in a diff."""
    return None if value is None else float(f"{value:.4g}")


def meets(target, ratio, value) -> bool | None:
    if target is None:
        return None
    kind, relation, limit = target
    measured = ratio if kind == "ratio" else value
    if measured is None:
        return None
    return {">=": measured >= limit, "<=": measured <= limit, "<": measured < limit}[relation]


def target_text(target, unit: str) -> str:
    if target is None:
        return ""
    kind, relation, limit = target
    sign = {">=": "≥", "<=": "≤", "<": "<"}[relation]
    if kind == "value":
        return f"{sign} {limit:g} {unit}"
    return f"{sign} {limit:g}" if unit in HIGHER_IS_BETTER else f"{sign} {limit:g}x"


def value_text(value, unit: str) -> str:
    if value is None:
        return ""
    if unit in HIGHER_IS_BETTER:
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.0f} {unit}"


def ratio_text(ratio, unit: str) -> str:
    if ratio is None:
        return ""
    return f"{ratio:.2f}" if unit in HIGHER_IS_BETTER else f"{ratio:.2f}x"


def markdown(rows: list[dict], run: dict, notes: list[str], problems: list[str]) -> str:
    lines = [
        "# make bench: the generated service against the same-work floor",
        "",
        f"{run['date']}, template commit {run['commit']}; {run['cpus']} cores, "
        f"load average {run['load_before']} before the run and {run['load_after']} after. "
        f"wrk at {run['connections']} connections on the loopback, {run['seconds']} s a run, "
        f"{run['runs_per_service']} run(s) a service and endpoint, alternating, "
        "each figure the median run's; "
        f"{run['web']}. Ratios are generated / floor.",
        "",
        "| figure | on | floor | generated | ratio | target | meets |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for each in rows:
        unit = each["unit"]
        verdict = {True: "yes", False: "no", None: ""}[each["meets"]]
        lines.append(
            f"| {each['figure']} | {each['on']} | {value_text(each['floor'], unit)} | "
            f"{value_text(each['generated'], unit)} | {ratio_text(each['ratio'], unit)} | "
            f"{each['target']} | {verdict} |"
        )
    if notes or problems:
        lines += [
            "",
            *(f"- problem: {each}" for each in problems),
            *(f"- {each}" for each in notes),
        ]
    return "\n".join(lines) + "\n"


def write(folder: Path, rows: list[dict], run: dict, notes: list[str], problems: list[str]) -> str:
    """Write latest.json and latest.md into `folder`; return the table.

    `problems` are what makes a figure doubtful (failed requests, a failing
    suite); `notes` the rest (what was not measured, and why)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = markdown(rows, run, notes, problems)
    document = {"run": run, "figures": rows, "problems": problems, "notes": notes}
    (folder / "latest.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    (folder / "latest.md").write_text(table)
    return table
