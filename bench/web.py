"""The web figures on one database: boot to the first 200, load on each
endpoint, and the web dyno's memory, for the floor and the generated service."""

import secrets
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from harness import production

from . import dyno, load, seed
from .report import BOOT_TARGET, MEMORY_TARGET, P99_TARGET, RPS_TARGET, row


@dataclass(frozen=True)
class Endpoint:
    figure: str
    path: str
    method: str = "GET"
    status: int = 200
    credential: str = ""  # "session" (the reader logged in), "reader" or "writer" (tokens)
    body: str = ""


ENDPOINTS = (
    Endpoint("GET /", "/"),
    Endpoint("GET /notes/, logged in", "/notes/", credential="session"),
    Endpoint("GET /api/v1/notes", "/api/v1/notes", credential="reader"),
    Endpoint("POST /api/v1/notes", "/api/v1/notes", "POST", 201, "writer", seed.note_json(0)),
    Endpoint("GET /healthz", "/healthz"),
)
# What reading each body ahead, within REQUEST_BODY_SECONDS, costs: this
# endpoint on the generated service against the same service with the bound
# lifted (REQUEST_BODY_SECONDS=0), which takes the floor's column.
BODY_BOUND = replace(
    ENDPOINTS[3], figure="POST /api/v1/notes, bodies read ahead (floor: REQUEST_BODY_SECONDS=0)"
)


def client_address() -> str:
    """A client address from a documentation range (RFC 5737), fresh each run:
    the login limits count per address, in Redis across runs."""
    return f"198.51.100.{secrets.randbelow(254) + 1}"


def endpoint_headers(endpoint: Endpoint, headers: dict, seeded: seed.Seeded) -> dict:
    if endpoint.credential == "session":
        return {**headers, "Cookie": seeded.session_cookie}
    if endpoint.credential:
        token = seeded.reader_token if endpoint.credential == "reader" else seeded.writer_token
        headers = {**headers, "Authorization": f"Bearer {token}"}
    if endpoint.body:
        headers = {**headers, "Content-Type": "application/json"}
    return headers


def bench_web(project, venv, workdir: Path, database: str, database_url: str, redis_url, plan):
    """Rows of the table for `database`, and problems: anything amiss in the runs."""
    environ = production(
        workdir,
        DATABASE_URL=database_url,
        PUBLIC_URL=f"https://{dyno.PUBLIC_HOST}",
        # The writer writes thousands of notes a second: its write limit and
        # quota (the attack replay tests them) are lifted, their checks still run.
        WRITE_RATE_LIMIT="100000000 per minute",
        NOTES_PER_ACCOUNT="1000000000",
    )
    if redis_url:
        environ["REDIS_URL"] = redis_url
    services = {
        "floor": dyno.floor(project, venv, workdir / "floor", environ),
        "generated": dyno.generated(project, venv, workdir / "generated", environ),
    }
    dyno.progress(f"{database}: release, accounts")
    services["generated"].release()
    seed.create_accounts(services["generated"])
    headers = dyno.router_headers(client_address())

    dyno.progress(f"{database}: {plan.boots} boot(s) of each service")
    boots = {name: [] for name in services}
    for _ in range(plan.boots - 1):
        for name, service in services.items():
            with dyno.serving(service, headers) as seconds:
                boots[name].append(seconds)

    rows, problems = [], []
    with (
        dyno.serving(services["floor"], headers) as floor_boot,
        dyno.serving(services["generated"], headers) as generated_boot,
    ):
        boots["floor"].append(floor_boot)  # the last boot of each is the one loaded
        boots["generated"].append(generated_boot)
        dyno.progress(f"{database}: notes, tokens and a login through the generated service")
        seeded = seed.seed(services["generated"], headers)
        for endpoint in ENDPOINTS:
            dyno.progress(f"{database}: {endpoint.figure}")
            figures = load_endpoint(
                services, endpoint, endpoint_headers(endpoint, headers, seeded), plan
            )
            rows += endpoint_rows(endpoint, database, figures)
            problems += amiss(endpoint, database, figures)
        memory = {
            name: dyno.process_group_pss_mb(service.web_process.pid)
            for name, service in services.items()
        }
        unbounded = dyno.generated(
            project, venv, workdir / "unbounded", {**environ, "REQUEST_BODY_SECONDS": "0"}
        )
        with dyno.serving(unbounded, headers):
            dyno.progress(f"{database}: {BODY_BOUND.figure}")
            pair = {"floor": unbounded, "generated": services["generated"]}
            body_headers = endpoint_headers(BODY_BOUND, headers, seeded)
            figures = load_endpoint(pair, BODY_BOUND, body_headers, plan)
        rows += comparison_rows(BODY_BOUND.figure, database, figures)
        problems += amiss(BODY_BOUND, database, figures)
    workers = services["generated"].env["WEB_CONCURRENCY"]
    boot = {name: statistics.median(seconds) for name, seconds in boots.items()}
    memory_figure = f"web dyno memory (PSS, master + {workers} workers, after the load)"
    rows += [
        row("boot to first 200", database, "s", *both(boot), BOOT_TARGET, boots=boots),
        row(memory_figure, database, "MB", *both(memory), MEMORY_TARGET),
    ]
    return rows, problems


def both(values: dict) -> tuple:
    """The floor's value and the generated service's, in the table's order."""
    return values["floor"], values["generated"]


def load_endpoint(services: dict, endpoint: Endpoint, headers: dict, plan) -> dict:
    """Each service's figures on `endpoint`, from runs alternating between them."""
    answers = {}
    for name, service in services.items():
        status, answer, body = dyno.request(
            service, endpoint.path, headers, endpoint.method, endpoint.body.encode() or None
        )
        if status != endpoint.status:
            raise RuntimeError(f"{name}: {endpoint.figure} answered {status}: {body[:500]!r}")
        answers[name] = {"bytes": len(body), "sets_cookie": bool(answer.get_all("Set-Cookie"))}
        if plan.warmup:
            run_once(service, endpoint, headers, plan.warmup)
    runs = {name: [] for name in services}
    for round_number in range(plan.rounds):
        # floor, generated, then generated, floor: neither always goes first
        order = list(services) if round_number % 2 == 0 else list(reversed(services))
        for name in order:
            runs[name].append(run_once(services[name], endpoint, headers, plan.seconds))
    return {name: {**load.combine(runs[name]), **answers[name]} for name in services}


def amiss(endpoint: Endpoint, database: str, figures: dict) -> list[str]:
    notes = []
    for name, each in figures.items():
        where = f"{endpoint.figure} on {database}, {name}"
        if each["errors"]:
            notes.append(
                f"{where}: {each['errors']} of {each['requests']} requests failed or "
                "answered 4xx/5xx"
            )
        if each["sets_cookie"]:
            notes.append(f"{where}: every answer sets a cookie")
    return notes


def run_once(service, endpoint: Endpoint, headers: dict, seconds: int) -> dict:
    return load.run(service.url + endpoint.path, headers, seconds, endpoint.method, endpoint.body)


def comparison_rows(name: str, database: str, figures: dict) -> list[dict]:
    """The rate and latencies of two variants of the service, without targets."""
    measures = (("req/s", "rps", "req/s"), ("p50", "p50_ms", "ms"), ("p99", "p99_ms", "ms"))
    return [
        row(f"{name}, {measure}", database, unit, figures["floor"][key], figures["generated"][key])
        for measure, key, unit in measures
    ]


def endpoint_rows(endpoint: Endpoint, database: str, figures: dict) -> list[dict]:
    def pair(key: str) -> tuple[float, float]:
        return figures["floor"][key], figures["generated"][key]

    name = endpoint.figure
    return [
        row(f"{name}, req/s", database, "req/s", *pair("rps"), RPS_TARGET, runs=figures),
        row(f"{name}, p50", database, "ms", *pair("p50_ms")),
        row(f"{name}, p99", database, "ms", *pair("p99_ms"), P99_TARGET),
    ]
