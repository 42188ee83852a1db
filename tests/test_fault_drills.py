"""Fault drills: the generated service under load, losing or freezing its
database, its Redis and its processes, with nothing lost and nothing hung.

Each drill runs the default project from its Procfile with production
settings, on a Postgres and a Redis of its own (see drills.py), and speaks to
it as Heroku's router does. Figures go to the run's summary; DRILL_TABLE
collects one row a drill for the README's reliability table.
"""

import json
import re
import time
from pathlib import Path

import pytest

from drills import Load, Request, RouterClient, percentile
from support import (
    HEROKU_BOOT_LIMIT,
    HEROKU_KILL_WINDOW,
    Dyno,
    production,
    project_venv,
    record_figure,
    wait_for_http,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.drill]

PASSWORD = "correct horse battery staple"
EMAIL = "drill@example.com"
ROUTER_TIMEOUT = 30  # Heroku's router answers 503 (H12) after 30 s
OK = {200, 201, 302}


def record_row(drill: str, work: str, failures: str, recovery: str) -> None:
    record_figure(f"drill table | {drill} | {work} | {failures} | {recovery}")


def start_service(dyno_project, tmp_path, postgres, redis, **environ) -> Dyno:
    """The default project released onto the drill's own Postgres and Redis."""
    project = dyno_project("default")
    settings = production(
        tmp_path,
        # Heroku's spelling of the URL, rewritten by the service.
        DATABASE_URL="postgres://" + postgres.url.split("://", 1)[1],
        REDIS_URL=redis.url,
        **environ,
    )
    dyno = Dyno(project, project_venv(project), tmp_path, **settings)
    dyno.release()
    result = dyno.run_command(f"flask create-user --email {EMAIL} --password '{PASSWORD}'")
    assert result.returncode == 0, result.stdout + result.stderr
    return dyno


def serve(dyno: Dyno, name: str = "web"):
    web = dyno.start("web", name)
    wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
    return web


class Visitor:
    """A logged-in person with a form token, and an API token: what the load
    sends its requests as."""

    def __init__(self, url: str):
        client = RouterClient(url)
        assert client.log_in(EMAIL, PASSWORD) == 302
        self.cookies = dict(client.cookies)
        self.csrf = client.form_token("/notes/new")
        status, _, body = client.request(
            "POST", "/api/v1/tokens", headers={"Authorization": basic_auth(EMAIL, PASSWORD)}
        )
        assert status == 201, body
        self.bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        client.close()
        self.titles = iter(range(10**9))

    def plan(self):
        """Pages and API, reads and writes, in turn."""
        json_headers = {**self.bearer, "Content-Type": "application/json"}
        requests = [
            # A visitor's landing page: the one page that needs no database.
            Request("page /", "GET", "/", anonymous=True),
            Request("page /notes/", "GET", "/notes/"),
            Request("page write", "POST", "/notes/new", body=self.page_note),
            Request("api read", "GET", "/api/v1/notes?page_size=5", headers=self.bearer),
            Request("api write", "POST", "/api/v1/notes", body=self.api_note, headers=json_headers),
        ]
        return lambda turn: requests[turn % len(requests)]

    def page_note(self) -> dict:
        return {"title": f"page-{next(self.titles)}", "body": "drill", "csrf_token": self.csrf}

    def api_note(self) -> str:
        return json.dumps({"title": f"api-{next(self.titles)}", "body": "drill"})


def basic_auth(email: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def written_title(answer) -> str:
    sent = answer.sent
    return sent["title"] if isinstance(sent, dict) else json.loads(sent)["title"]


def titles_in_database(postgres) -> set[str]:
    import psycopg

    with psycopg.connect(postgres.url, connect_timeout=5) as connection:
        return {row[0] for row in connection.execute("SELECT title FROM notes")}


def check_no_write_lost(answers, postgres) -> tuple[int, int]:
    """Every write answered 2xx (or the form's redirect) is a row: (acknowledged, rows)."""
    writes = [a for a in answers if a.name.endswith("write")]
    acknowledged = {written_title(a) for a in writes if a.status in (201, 302)}
    stored = titles_in_database(postgres)
    assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged writes lost"
    return len(acknowledged), len(stored)


def summary(answers) -> str:
    durations = [a.seconds for a in answers]
    return (
        f"{len(answers)} requests, p50 {percentile(durations, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(durations, 0.99) * 1000:.0f} ms, "
        f"max {max(durations):.2f} s"
    )


def one_line_per_failure(dyno: Dyno, name: str = "web") -> int:
    """Lines that report a database outage; a traceback is a failure of its own."""
    log = dyno.output(name)
    assert "Traceback" not in log, "a traceback in the web log"
    return log.count('msg="database unavailable"')


# 1. Steady load ---------------------------------------------------------

STEADY_SECONDS = 60
STEADY_CONNECTIONS = 32


def test_steady_load(dyno_project, tmp_path, own_postgres, own_redis):
    dyno = start_service(dyno_project, tmp_path, own_postgres, own_redis)
    web = serve(dyno)
    try:
        visitor = Visitor(dyno.url)
        with Load(dyno.url, visitor.plan(), STEADY_CONNECTIONS, STEADY_SECONDS,
                  visitor.cookies) as load:
            pass
    finally:
        Dyno.stop(web)
    answers = load.answers
    failed = [a for a in answers if a.status not in OK]
    assert not failed, f"{len(failed)} failed: {failed[:3]}"
    acknowledged, rows = check_no_write_lost(answers, own_postgres)
    rate = len(answers) / (load.ended - load.started)
    record_figure(
        f"drill 1, steady load ({STEADY_CONNECTIONS} connections, {STEADY_SECONDS} s): "
        f"{summary(answers)}, {rate:.0f} requests/s, {acknowledged} writes, all stored"
    )
    durations = [a.seconds for a in answers]
    record_row(
        "1. steady load", f"{len(answers)} requests ({rate:.0f}/s, "
        f"p50 {percentile(durations, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(durations, 0.99) * 1000:.0f} ms)", "0", "-",
    )


# 2. Postgres stopped mid-load ------------------------------------------

OUTAGE_CONNECTIONS = 12


def first_success_after(answers, moment: float) -> float:
    """Seconds from `moment` to the first answered database request started after it."""
    later = [
        a.ended for a in answers if a.started >= moment and a.status in OK and a.name != "page /"
    ]
    assert later, "the service never recovered"
    return min(later) - moment


def test_postgres_stopped_mid_load(dyno_project, tmp_path, own_postgres, own_redis):
    dyno = start_service(dyno_project, tmp_path, own_postgres, own_redis)
    web = serve(dyno)
    try:
        visitor = Visitor(dyno.url)
        with Load(dyno.url, visitor.plan(), OUTAGE_CONNECTIONS, 30, visitor.cookies) as load:
            time.sleep(5)
            own_postgres.stop()
            stopped = time.monotonic()
            time.sleep(10)
            own_postgres.start()
            restarted = time.monotonic()
            time.sleep(8)
            load.stop()
    finally:
        Dyno.stop(web)
    answers = load.answers
    during = [a for a in answers if stopped + 1 < a.started < restarted]
    database_failures = [a for a in during if a.name != "page /" and a.status not in OK]
    assert database_failures, "no request noticed the outage"
    for answer in database_failures:
        assert answer.status == 503, (answer.name, answer.status, answer.error, answer.body[:200])
        assert answer.retry_after, "a 503 without Retry-After"
        assert answer.seconds < 10, f"{answer.name} took {answer.seconds:.1f} s"
    pages = [a for a in during if a.name == "page /"]
    assert pages and all(a.status == 200 for a in pages), "a page without the database failed"
    recovery = first_success_after(answers, restarted)
    assert recovery < 5, f"200 again only {recovery:.1f} s after Postgres came back"
    failures = [a for a in answers if a.status not in OK]
    assert all(a.status == 503 for a in failures), {a.status for a in failures}
    log_lines = one_line_per_failure(dyno)
    assert log_lines <= len(failures), f"{log_lines} log lines for {len(failures)} failures"
    acknowledged, rows = check_no_write_lost(answers, own_postgres)
    record_figure(
        f"drill 2, Postgres stopped 10 s under load: {summary(answers)}; "
        f"{len(failures)} answered 503 with Retry-After (max {max(a.seconds for a in failures):.2f} s), "
        f"{log_lines} log lines for them; {len(pages)} pages without the database all 200; "
        f"200 again {recovery:.2f} s after restart; {acknowledged} acknowledged writes, {rows} rows"
    )
    record_row(
        "2. Postgres stopped 10 s", f"{len(answers)} requests",
        f"{len(failures)} × 503 + Retry-After, 0 × 5xx else", f"{recovery:.1f} s",
    )


# 3. Postgres frozen ----------------------------------------------------

FREEZE_SECONDS = 40


def test_postgres_frozen(dyno_project, tmp_path, own_postgres, own_redis):
    dyno = start_service(dyno_project, tmp_path, own_postgres, own_redis)
    web = serve(dyno)
    health = []
    try:
        visitor = Visitor(dyno.url)
        with Load(dyno.url, visitor.plan(), OUTAGE_CONNECTIONS, FREEZE_SECONDS + 30,
                  visitor.cookies) as load:
            time.sleep(3)
            own_postgres.freeze()
            frozen = time.monotonic()
            prober = RouterClient(dyno.url)
            while time.monotonic() - frozen < FREEZE_SECONDS:
                health.append(prober.timed("healthz", "GET", "/healthz", keep_alive=False))
                time.sleep(2)
            own_postgres.thaw()
            thawed = time.monotonic()
            time.sleep(10)
            load.stop()
    finally:
        Dyno.stop(web)
    answers = load.answers
    during = [a for a in answers if frozen < a.started < thawed]
    slowest = max(a.seconds for a in during)
    assert slowest < ROUTER_TIMEOUT / 2, f"a request took {slowest:.1f} s"
    assert all(a.status in OK | {503} for a in answers), {a.status for a in answers}
    late_health = [h for h in health if h.started > frozen + 1]
    assert all(h.status == 503 and h.seconds < 5 for h in late_health), [
        (h.status, round(h.seconds, 1)) for h in late_health
    ]
    pages = [a for a in during if a.name == "page /"]
    assert pages and all(a.status == 200 for a in pages)
    recovery = first_success_after(answers, thawed)
    assert recovery < 10, f"answers again only {recovery:.1f} s after SIGCONT"
    failures = [a for a in answers if a.status not in OK]
    one_line_per_failure(dyno)
    acknowledged, rows = check_no_write_lost(answers, own_postgres)
    record_figure(
        f"drill 3, Postgres frozen {FREEZE_SECONDS} s under load: {summary(answers)}; "
        f"slowest request while frozen {slowest:.1f} s, {len(failures)} × 503; /healthz 503 in "
        f"{max(h.seconds for h in late_health):.1f} s at most; {len(pages)} pages "
        f"(max {max(a.seconds for a in pages):.1f} s); answering again {recovery:.1f} s "
        f"after SIGCONT; {acknowledged} acknowledged writes, {rows} rows"
    )
    record_row(
        f"3. Postgres frozen {FREEZE_SECONDS} s", f"{len(answers)} requests",
        f"{len(failures)} × 503 (slowest {slowest:.1f} s)", f"{recovery:.1f} s",
    )
