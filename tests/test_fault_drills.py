"""Fault drills: the generated service under load, losing or freezing its
database, its Redis and its processes, with nothing lost and nothing hung.

Each drill runs the default project from its Procfile with production
settings, on a Postgres and a Redis of its own (see drills.py), and speaks to
it as Heroku's router does. Figures go to the run's summary; DRILL_TABLE
collects one row a drill for the README's reliability table.
"""

import base64
import json
import re
import select
import shlex
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from drills import Load, Request, RouterClient, percentile
from harness import (
    HEROKU_BOOT_LIMIT,
    HEROKU_KILL_WINDOW,
    Dyno,
    free_port,
    production,
    project_venv,
    record_drill_row,
    record_figure,
    skip_or_fail,
    wait_for_http,
    wait_until,
)

# In make test's load process: the drills measure under load of their own.
pytestmark = [pytest.mark.slow, pytest.mark.drill, pytest.mark.xdist_group("load")]

PASSWORD = "correct horse battery staple"
EMAIL = "drill@example.com"
# Wrong passwords go to an address with no account: the real one's own
# attempt limit (per account, whatever the address) stays untouched.
GUESSED = "nobody@example.com"
ROUTER_TIMEOUT = 30  # Heroku's router answers 503 (H12) after 30 s
# Reset mails are built from it, and requests must name its host.
PUBLIC_URL = "https://127.0.0.1"
OK = {200, 201, 302}


def start_service(dyno_project, tmp_path, postgres, redis, **environ) -> Dyno:
    """The default project released onto the drill's own Postgres and Redis."""
    project = dyno_project("default")
    settings = production(
        tmp_path,
        # Heroku's spelling of the URL, rewritten by the service.
        DATABASE_URL="postgres://" + postgres.url.split("://", 1)[1],
        REDIS_URL=redis.url,
        PUBLIC_URL=PUBLIC_URL,
        # The load writes far faster than a person: the write limit and the
        # notes quota (the attack replay tests them) are lifted.
        WRITE_RATE_LIMIT="100000000 per minute",
        NOTES_PER_ACCOUNT="1000000000",
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
        # A login starts a fresh session: the form's token belongs to the
        # session cookie that came with the form, kept after it.
        self.csrf = client.form_token("/notes/new")
        self.cookies = dict(client.cookies)
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
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def written_title(answer) -> str:
    sent = answer.sent
    return sent["title"] if isinstance(sent, dict) else json.loads(sent)["title"]


def titles_in_database(postgres) -> set[str]:
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
    acknowledged, _ = check_no_write_lost(answers, own_postgres)
    rate = len(answers) / (load.ended - load.started)
    record_figure(
        f"drill 1, steady load ({STEADY_CONNECTIONS} connections, {STEADY_SECONDS} s): "
        f"{summary(answers)}, {rate:.0f} requests/s, {acknowledged} writes, all stored"
    )
    durations = [a.seconds for a in answers]
    record_drill_row(
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
            time.sleep(4)
            own_postgres.stop()
            stopped = time.monotonic()
            time.sleep(10)
            own_postgres.start()
            restarted = time.monotonic()
            time.sleep(6)
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
        f"{len(failures)} answered 503 with Retry-After "
        f"(max {max(a.seconds for a in failures):.2f} s), "
        f"{log_lines} log lines for them; {len(pages)} pages without the database all 200; "
        f"200 again {recovery:.2f} s after restart; {acknowledged} acknowledged writes, {rows} rows"
    )
    record_drill_row(
        "2. Postgres stopped 10 s", f"{len(answers)} requests",
        f"{len(failures)} x 503 + Retry-After, 0 x 5xx else", f"{recovery:.1f} s",
    )


# 3. Postgres frozen ----------------------------------------------------

# Frozen as a client sees a frozen host or a network partition: every packet
# to and from the server is dropped (drills.Link), the server runs on.
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
            time.sleep(6)
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
    assert recovery < 10, f"answers again only {recovery:.1f} s after the network came back"
    failures = [a for a in answers if a.status not in OK]
    one_line_per_failure(dyno)
    acknowledged, rows = check_no_write_lost(answers, own_postgres)
    record_figure(
        f"drill 3, Postgres frozen {FREEZE_SECONDS} s under load: {summary(answers)}; "
        f"slowest request while frozen {slowest:.1f} s, {len(failures)} x 503; /healthz 503 in "
        f"{max(h.seconds for h in late_health):.1f} s at most; {len(pages)} pages "
        f"(max {max(a.seconds for a in pages):.1f} s); answering again {recovery:.1f} s "
        f"after the network came back; {acknowledged} acknowledged writes, {rows} rows"
    )
    record_drill_row(
        f"3. Postgres frozen {FREEZE_SECONDS} s", f"{len(answers)} requests",
        f"{len(failures)} x 503 (slowest {slowest:.1f} s)", f"{recovery:.1f} s",
    )


# 4. Redis stopped, then frozen -----------------------------------------

def make_users(dyno: Dyno, emails: list[str]) -> None:
    code = (
        "from wsgi import app\n"
        "from my_service.accounts.commands import create_account\n"
        "with app.app_context():\n"
        f"    for email in {emails!r}:\n"
        f"        create_account(email, {PASSWORD!r}, is_admin=False)\n"
    )
    result = dyno.run_command(f"python -c {shlex.quote(code)}")
    assert result.returncode == 0, result.stdout + result.stderr


class Resets:
    """Password reset requests, each from its own address (the limiter counts
    per address) for its own account; what each was answered."""

    def __init__(self, url: str):
        self.url = url
        self.answers: list[tuple[str, int, float]] = []

    def ask(self, email: str) -> int:
        client = RouterClient(self.url, address=f"10.1.0.{len(self.answers) + 1}")
        token = client.form_token("/auth/reset")
        started = time.monotonic()
        status, _, page = client.request(
            "POST", "/auth/reset", {"email": email, "csrf_token": token}, keep_alive=False
        )
        seconds = time.monotonic() - started
        assert status in (302, 503), (email, status)
        if status == 503:
            assert b"could not send the email just now" in page  # told to try again
        self.answers.append((email, status, seconds))
        return status

    def promised(self) -> list[str]:
        """The addresses told that a link is on its way."""
        return [email for email, status, _ in self.answers if status == 302]


def mails_sent(dyno: Dyno, email: str, log: str = "worker") -> int:
    return dyno.output(log).count(f"to={email}")


def healthz_degraded_within(url: str, limit: float) -> float:
    """Seconds until /healthz answers 503; each answer must come inside `limit`."""
    prober = RouterClient(url)
    started = time.monotonic()
    while time.monotonic() - started < 20:
        answer = prober.timed("healthz", "GET", "/healthz", keep_alive=False)
        assert answer.status in (200, 503) and answer.seconds < limit, answer
        if answer.status == 503:
            return time.monotonic() - started
        time.sleep(0.5)
    pytest.fail("/healthz never said degraded")


def limiter_fallback(url: str, address: str) -> tuple[int, int]:
    """Twelve wrong guesses from one address: (let through, refused with 429)."""
    client = RouterClient(url, address=address)
    token = client.form_token("/auth/login")
    statuses = [
        client.request("POST", "/auth/login",
                       {"email": GUESSED, "password": "wrong password!", "csrf_token": token})[0]
        for _ in range(12)
    ]
    assert set(statuses) <= {200, 429}, statuses
    return statuses.count(200), statuses.count(429)


def test_redis_stopped_then_frozen(dyno_project, tmp_path, own_postgres, own_redis):
    # The drill asks again until Redis is back: more resets than a person may.
    dyno = start_service(
        dyno_project, tmp_path, own_postgres, own_redis, RESET_RATE_LIMIT="50 per hour"
    )
    people = [f"reset-{n}@example.com" for n in range(1, 6)]
    make_users(dyno, people)
    web, worker = serve(dyno), dyno.start("worker")
    resets = Resets(dyno.url)
    try:
        visitor = Visitor(dyno.url)
        with Load(dyno.url, visitor.plan(), 4, 120, visitor.cookies) as load:
            assert resets.ask(people[0]) == 302
            wait_until(lambda: mails_sent(dyno, people[0]) == 1, 30, "the first mail")

            own_redis.stop()
            stopped_degraded = healthz_degraded_within(dyno.url, 5)
            resets.ask(people[1])
            passed, refused = limiter_fallback(dyno.url, "10.2.0.1")
            assert RouterClient(dyno.url, address="10.2.0.2").log_in(EMAIL, PASSWORD) == 302

            own_redis.start()
            restarted = time.monotonic()
            wait_until(lambda: resets.ask(people[2]) == 302, 30, "a reset queued again")
            wait_until(lambda: mails_sent(dyno, people[2]) >= 1, 60, "tasks to flow again")
            tasks_again = time.monotonic() - restarted

            own_redis.freeze()
            frozen_degraded = healthz_degraded_within(dyno.url, 5)
            resets.ask(people[3])
            login_started = time.monotonic()
            assert RouterClient(dyno.url, address="10.3.0.1").log_in(EMAIL, PASSWORD) == 302
            frozen_login = time.monotonic() - login_started
            time.sleep(5)

            own_redis.thaw()
            thawed = time.monotonic()
            wait_until(lambda: resets.ask(people[4]) == 302, 30, "a reset queued after the thaw")
            wait_until(lambda: mails_sent(dyno, people[4]) >= 1, 60, "tasks after the thaw")
            thaw_recovery = time.monotonic() - thawed
            load.stop()
        for email in resets.promised():
            wait_until(lambda email=email: mails_sent(dyno, email) >= 1, 30, f"mail to {email}")
    finally:
        Dyno.stop(worker)
        Dyno.stop(web)
    failed = [a for a in load.answers if a.status not in OK]
    assert not failed, f"{len(failed)} requests failed: {failed[:3]}"
    # Counted in memory, by each of the 2 gunicorn processes alone: 5 a minute
    # each, so at most 10 wrong passwords pass before the 429s.
    assert refused and passed <= 10, (passed, refused)
    told_to_retry = [email for email, status, _ in resets.answers if status == 503]
    slowest_reset = max(seconds for _, _, seconds in resets.answers)
    assert slowest_reset < 15
    record_figure(
        f"drill 4, Redis stopped then frozen: {summary(load.answers)} of pages and API, "
        f"none failed; /healthz 503 {stopped_degraded:.1f} s after the stop, "
        f"{frozen_degraded:.1f} s after the freeze; login limit with Redis down: "
        f"{passed} wrong passwords passed, {refused} refused (429); login while frozen "
        f"{frozen_login:.1f} s; resets {[(s, round(t, 1)) for _, s, t in resets.answers]}, "
        f"{len(told_to_retry)} told to retry, every promised mail sent; tasks flowing "
        f"{tasks_again:.1f} s after restart, {thaw_recovery:.1f} s after thaw"
    )
    record_drill_row(
        "4. Redis stopped, then frozen", f"{len(load.answers)} requests, {len(resets.answers)} "
        "password resets", f"0 (resets: {len(told_to_retry)} x 503 'try again', 0 lost)",
        f"{tasks_again:.1f} s / {thaw_recovery:.1f} s",
    )


# 5. Worker killed with 200 tasks ----------------------------------------

TASKS = 200


def enqueue_effects(dyno: Dyno, folder: Path, count: int, seconds: float) -> None:
    code = (
        "import wsgi\n"
        "from my_service.worker.tasks import drill_effect\n"
        f"for n in range({count}):\n"
        f"    drill_effect.delay({str(folder)!r}, f'task-{{n}}', {seconds})\n"
    )
    result = dyno.run_command(f"python -c {shlex.quote(code)}")
    assert result.returncode == 0, result.stdout + result.stderr


def effects(folder: Path) -> int:
    return sum(1 for path in folder.iterdir() if path.name.startswith("task-"))


def attempts(folder: Path) -> int:
    log = folder / "attempts.log"
    return len(log.read_text().split()) if log.exists() else 0


def test_worker_killed_with_200_tasks(dyno_project, tmp_path, own_postgres, own_redis):
    # A short visibility timeout: a killed worker's tasks come back in seconds.
    dyno = start_service(
        dyno_project, tmp_path, own_postgres, own_redis,
        REDIS_VISIBILITY_TIMEOUT="5", WORKER_CONCURRENCY="4",
    )
    folder = tmp_path / "effects"
    folder.mkdir()
    enqueue_effects(dyno, folder, TASKS, 0.1)
    first = dyno.start("worker", "worker-1")
    try:
        wait_until(lambda: attempts(folder) >= TASKS // 4, 60, "a quarter of the tasks to start")
    finally:
        Dyno.kill(first)
    done_before, started_before = effects(folder), attempts(folder)
    second = dyno.start("worker", "worker-2")
    restarted = time.monotonic()
    try:
        wait_until(lambda: effects(folder) == TASKS, 120, "every task's effect")
        recovery = time.monotonic() - restarted
        time.sleep(2)  # anything handed out twice would show now
    finally:
        Dyno.stop(second)
    assert effects(folder) == TASKS
    again = attempts(folder) - TASKS
    record_figure(
        f"drill 5, worker SIGKILLed with {TASKS} tasks: {done_before} done and "
        f"{started_before - done_before} running at the kill; the next worker finished "
        f"all {TASKS} effects once each in {recovery:.1f} s ({again} attempts ran again)"
    )
    record_drill_row(
        "5. worker SIGKILLed", f"{TASKS} tasks", f"0 lost, 0 effects twice ({again} re-run)",
        f"{recovery:.1f} s",
    )


# 6. SIGTERM to web under load -------------------------------------------

def test_sigterm_to_web_under_load(dyno_project, tmp_path, own_postgres, own_redis):
    dyno = start_service(dyno_project, tmp_path, own_postgres, own_redis)
    web = serve(dyno)
    visitor = Visitor(dyno.url)
    plan = visitor.plan()
    slow = Request("slow", "GET", "/drill/slow", anonymous=True)
    with Load(dyno.url, lambda turn: slow if turn % 8 == 0 else plan(turn), 16, 30,
              visitor.cookies, keep_alive=False) as load:
        time.sleep(4)
        signalled = time.monotonic()
        exited_after = Dyno.stop(web)
        time.sleep(1)
        load.stop()
    assert web.returncode == 0, dyno.output("web")
    before = [a for a in load.answers if a.started < signalled]
    in_flight = [a for a in before if a.ended > signalled]
    broken = [a for a in before if a.status not in OK]
    assert not broken, [(a.name, a.status, a.error) for a in broken]
    refused = [a for a in load.answers if a.error == "ConnectionRefusedError"]
    other = [a for a in load.answers if a.started >= signalled and a.status not in OK
             and a.error != "ConnectionRefusedError"]
    assert exited_after < HEROKU_KILL_WINDOW
    assert any(a.name == "slow" for a in in_flight), "no slow request was in flight"
    record_figure(
        f"drill 6, SIGTERM to web under load: {len(before)} requests sent before it, all "
        f"answered ({len(in_flight)} in flight, "
        f"the slowest {max(a.seconds for a in in_flight):.1f} s); "
        f"exit {exited_after:.1f} s after SIGTERM; afterwards {len(refused)} refused "
        f"connections, {len(other)} other errors"
    )
    assert not other, [(a.name, a.status, a.error) for a in other]
    record_drill_row(
        "6. SIGTERM to web under load", f"{len(before)} requests ({len(in_flight)} in flight)",
        "0", f"exit in {exited_after:.1f} s",
    )


# 7. Many dynos, one service ---------------------------------------------

HAPROXY_CONFIG = """\
global
    maxconn 512
defaults
    mode http
    timeout connect 5s
    timeout client 35s
    timeout server 30s
    option http-server-close
frontend router
    bind 127.0.0.1:{port}
    # What Heroku's router adds: the client's address, and TLS ended here.
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    default_backend dynos
backend dynos
    balance roundrobin
{servers}
"""


class Router:
    """HAProxy on loopback, round robin over the given web dynos."""

    def __init__(self, folder: Path, dynos: list[Dyno], name: str):
        if not shutil.which("haproxy"):
            skip_or_fail("no haproxy on PATH (apt-get install haproxy)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(
            f"    server web{n} 127.0.0.1:{dyno.port}" for n, dyno in enumerate(dynos, 1)
        )
        config = folder / f"{name}.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers))
        self.process = subprocess.Popen(["haproxy", "-f", str(config)])
        wait_until(lambda: self.process.poll() is not None or answers(self.url), 10,
                   "haproxy to listen")
        assert self.process.poll() is None, "haproxy refused its configuration"

    def client(self) -> RouterClient:
        """A client of the proxy: the proxy adds the router's headers itself."""
        client = RouterClient(self.url)
        client.headers = {}
        return client

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def answers(url: str) -> bool:
    try:
        client = RouterClient(url)
        client.headers = {}
        return client.request("GET", "/healthz", keep_alive=False)[0] == 200
    except OSError:
        return False


def wrk(url: str, path: str, headers: dict, seconds: int = 6) -> dict:
    """Requests per second and latencies from wrk, 2 threads, 32 connections."""
    if not shutil.which("wrk"):
        skip_or_fail("no wrk on PATH (apt-get install wrk)")
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url + path], capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output).group(1)
    return {"rate": rate, "total": total, "bad": int(bad.group(1)) if bad else 0,
            "errors": errors.group(1) if errors else "", "p50": p50, "p99": p99}


def served_by(dyno: Dyno, name: str) -> int:
    return dyno.output(name).count("msg=request ")


def test_many_dynos_one_service(dyno_project, tmp_path, own_postgres, own_redis):
    # beat's example task every 2 s, to count
    first = start_service(
        dyno_project, tmp_path, own_postgres, own_redis, SUMMARY_INTERVAL_SECONDS="2"
    )
    second = first.another()  # a second web dyno of the same app
    webs = [serve(first, "web-1"), serve(second, "web-2")]
    workers = [first.start("worker", "worker-1"), first.start("worker", "worker-2")]
    beat = first.start("beat")
    routers = []
    try:
        both = Router(tmp_path, [first, second], "both")
        one = Router(tmp_path, [first], "one")
        routers += [both, one]

        # A person's session, form token and login limit, whichever dyno answers.
        person = both.client()
        person.request("GET", "/", keep_alive=False)
        assert person.log_in(EMAIL, PASSWORD) == 302
        pages = [person.request("GET", "/notes/", keep_alive=False)[0] for _ in range(4)]
        assert pages == [200] * 4
        token = person.form_token("/notes/new")
        for n in range(4):  # each post on the other dyno than its form
            status = person.request(
                "POST", "/notes/new",
                {"title": f"dyno-{n}", "body": "", "csrf_token": token}, keep_alive=False,
            )[0]
            assert status == 302
        guesser = both.client()
        login_token = guesser.form_token("/auth/login")
        guesses = [
            guesser.request("POST", "/auth/login", {
                "email": GUESSED, "password": "wrong password!", "csrf_token": login_token,
            }, keep_alive=False)[0]
            for _ in range(8)
        ]
        # 5 a minute for the address, counted in Redis by every process: one
        # attempt (the login above) was spent already.
        assert guesses == [200] * 4 + [429] * 4, guesses

        # An API token issued by one dyno works on the other.
        api = both.client()
        status, _, body = api.request(
            "POST", "/api/v1/tokens", headers={"Authorization": basic_auth(EMAIL, PASSWORD)},
            keep_alive=False,
        )
        assert status == 201
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        reads = [api.request("GET", "/api/v1/notes", headers=bearer, keep_alive=False)[0]
                 for _ in range(4)]
        assert reads == [200] * 4
        assert served_by(first, "web-1") > 4 and served_by(second, "web-2") > 4

        # Each queued task's effect happens once, with two workers taking.
        folder = tmp_path / "effects"
        folder.mkdir()
        enqueue_effects(first, folder, 100, 0.02)
        wait_until(lambda: effects(folder) == 100, 60, "100 task effects")
        time.sleep(1)
        assert attempts(folder) == 100, "a task ran twice"
        took = [
            len(re.findall(r"drill_effect\[[-0-9a-f]+\] succeeded", first.output(name)))
            for name in ("worker-1", "worker-2")
        ]
        assert all(took), f"one worker took every task: {took}"

        # Throughput through the proxy, over one web dyno and over two.
        one_dyno = wrk(one.url, "/api/v1/notes", bearer)
        two_dynos = wrk(both.url, "/api/v1/notes", bearer)
        for run in (one_dyno, two_dynos):
            assert run["bad"] == 0 and not run["errors"], run

        # A second beat, started by mistake, doubles the schedule: the README
        # says beat runs as exactly one dyno, and why.
        runs_before = first.output("worker-1").count("daily summary") + first.output(
            "worker-2").count("daily summary")
        # It runs on a dyno of its own, with its own /tmp (beat's schedule file).
        own_tmp = tmp_path / "beat-2-tmp"
        own_tmp.mkdir()
        beat_dyno = first.another(TMPDIR=str(own_tmp))
        extra_beat = beat_dyno.start("beat", "beat-2")
        time.sleep(6)
        Dyno.stop(extra_beat)
        sent_by_first = first.output("beat").count("Sending due task daily-summary")
        sent_by_second = beat_dyno.output("beat-2").count("Sending due task daily-summary")
    finally:
        for router in routers:
            router.close()
        for process in [beat, *workers, *webs]:
            Dyno.stop(process)
    assert sent_by_second > 0, "the second beat sent nothing: the drill proves nothing"
    readme = (first.project / "README.md").read_text()
    assert "`beat` must run as exactly one dyno, never scaled: two would put every" in readme
    record_figure(
        f"drill 7, two web dynos behind HAProxy, two workers, one beat: session, form token, "
        f"login limit (4 passed, 4 x 429) and API token held across dynos; 100 tasks, "
        f"each effect once ({took[0]} + {took[1]} by the two workers); throughput on "
        f"GET /api/v1/notes: one web dyno {one_dyno['rate']:.0f}/s (p50 {one_dyno['p50']}, "
        f"p99 {one_dyno['p99']}), two {two_dynos['rate']:.0f}/s (p50 {two_dynos['p50']}, "
        f"p99 {two_dynos['p99']}) on this 2-core machine; a second beat sent "
        f"{sent_by_second} extra scheduled runs in 6 s (the first sent {sent_by_first} in all; "
        f"{runs_before} runs before it started)"
    )
    record_drill_row(
        "7. two web dynos, two workers, one beat",
        f"{one_dyno['total'] + two_dynos['total']} requests, 100 tasks",
        "0 (a second beat doubles the schedule: run exactly one)",
        f"{one_dyno['rate']:.0f}/s with one web dyno, {two_dynos['rate']:.0f}/s with two",
    )


# 8. Slow request bodies --------------------------------------------------

SLOW_CLIENTS = 27
# REQUEST_BODY_SECONDS as the service has it unset. Three threads of each
# gunicorn process wait that long at most; the fourth stays for ready requests.
BODY_SECONDS = 10
ANNOUNCED = 1000  # bytes of body each slow client announces; it sends one a second
TRICKLE_LIMIT = 40  # seconds a slow client keeps sending without an answer


def trickle(port: int, number: int) -> dict:
    """A login whose 1000-byte body comes a byte a second, on a socket of its
    own, kept up after an answer until the service closes the connection:
    its status, and the seconds to the answer and to the close."""
    head = (
        f"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"X-Forwarded-Proto: https\r\nX-Forwarded-For: 198.51.100.{number + 1}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {ANNOUNCED}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer, answered, closed = b"", None, None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(head)
        next_byte = started
        while time.monotonic() - started < TRICKLE_LIMIT:
            if time.monotonic() >= next_byte:
                try:
                    client.send(b"a")
                except OSError:  # reset: closed after the answer
                    closed = time.monotonic() - started
                    break
                next_byte += 1
            if select.select([client], [], [], max(0, next_byte - time.monotonic()))[0]:
                try:
                    data = client.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    closed = time.monotonic() - started
                    break
                answered = answered or time.monotonic() - started
                answer += data
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/") else None
    return {"status": status, "answered": answered, "closed": closed}


def test_slow_request_bodies(dyno_project, tmp_path, own_postgres, own_redis):
    dyno = start_service(dyno_project, tmp_path, own_postgres, own_redis)
    web = serve(dyno)
    probes = []
    try:
        with ThreadPoolExecutor(SLOW_CLIENTS) as pool:
            slow = [pool.submit(trickle, dyno.port, n) for n in range(SLOW_CLIENTS)]
            time.sleep(0.5)  # every slow client connected and announced its body
            while not all(each.done() for each in slow):
                health = RouterClient(dyno.url, timeout=ROUTER_TIMEOUT + 5)
                probes.append(health.timed("healthz", "GET", "/healthz", keep_alive=False))
                time.sleep(0.25)
            clients = [each.result() for each in slow]
        login = RouterClient(dyno.url).log_in(EMAIL, PASSWORD)
    finally:
        Dyno.stop(web)
    statuses = sorted({client["status"] for client in clients}, key=str)
    assert statuses == [408], f"slow clients got {statuses}"
    answered = sorted(client["answered"] for client in clients)
    assert answered[-1] < BODY_SECONDS + 3, answered
    # The connection ends with the answer: no thread of the service keeps it.
    lingered = [(client["closed"] or TRICKLE_LIMIT) - client["answered"] for client in clients]
    assert max(lingered) < 2, lingered
    unhealthy = [probe for probe in probes if probe.status != 200]
    assert not unhealthy, unhealthy[:3]
    slowest = max(probe.seconds for probe in probes)
    assert slowest < ROUTER_TIMEOUT
    assert login == 302
    one_line_per_failure(dyno)
    assert dyno.output("web").count("status=408") == SLOW_CLIENTS
    record_figure(
        f"drill 8, {SLOW_CLIENTS} clients sending a login's {ANNOUNCED}-byte body a byte a "
        f"second (REQUEST_BODY_SECONDS={BODY_SECONDS}): each answered 408 after "
        f"{answered[0]:.1f}-{answered[-1]:.1f} s and its connection closed; "
        f"{len(probes)} /healthz meanwhile, all 200, p50 "
        f"{percentile([p.seconds for p in probes], 0.5) * 1000:.0f} ms, the slowest "
        f"{slowest:.1f} s; a login afterwards answered {login}"
    )
    record_drill_row(
        f"8. {SLOW_CLIENTS} slow request bodies, a byte a second",
        f"{SLOW_CLIENTS} logins, {len(probes)} /healthz",
        f"0; each slow login 408 within {answered[-1]:.0f} s "
        f"(REQUEST_BODY_SECONDS={BODY_SECONDS}), its connection closed",
        f"/healthz answered throughout (the slowest {slowest:.1f} s); a login right after",
    )
