"""The attacks of the security review, replayed over HTTP against a dyno.

The generated service runs as on Heroku: production settings, a fresh
Postgres database, a Redis of its own, the Procfile's release, web and worker
lines. The test stands in for Heroku's router: every request says it came
over https (X-Forwarded-Proto) from some client address (X-Forwarded-For),
for the public host. Distinct addresses stand for distinct clients, or for an
attacker rotating addresses. Each test proves one item: the attack is
refused, and the legitimate use next to it still works.
"""

import base64
import contextlib
import http.client
import itertools
import json
import re
import select
import shlex
import socket
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime

import pytest

from drills import OwnRedis, process_tree
from harness import (
    Dyno,
    authenticator_code,
    fresh_postgres_database,
    http_request,
    production,
    project_venv,
    record_figure,
    resident_mb,
    wait_until,
)

# In make test's load process: one attack compares login timings.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]

PUBLIC_HOST = "service.example"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
OTHER_PUBLIC_HOST = f"www.{PUBLIC_HOST}"  # a second domain of the app (ALLOWED_HOSTS)
PASSWORD = "a long and correct password"
NEW_PASSWORD = "another long, new password"
WRONG_PASSWORD = "a long but wrong password"
ADMIN_EMAIL = "admin@example.com"
CLI_USER_EMAIL = "cli-user@example.com"
MB = 1024 * 1024
QUOTA = 1000  # NOTES_PER_ACCOUNT's default
TIMEOUT = 15  # seconds for any one request

# Client addresses from the documentation ranges (RFC 5737): they only ever
# appear in X-Forwarded-For, every request goes to 127.0.0.1.
ADDRESSES = (
    f"{prefix}.{host}"
    for prefix in ("192.0.2", "198.51.100", "203.0.113")
    for host in range(1, 255)
)


def fresh_address() -> str:
    return next(ADDRESSES)


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes
    seconds: float
    sent: int = 0  # body bytes sent, for a streamed request

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    @property
    def location_path(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path

    def cookie(self, name: str) -> dict[str, str]:
        """The attributes of the Set-Cookie for `name` (lower-cased keys), its
        value under "value"."""
        for header in self.headers.get_all("Set-Cookie") or ():
            first, *attributes = (part.strip() for part in header.split(";"))
            cookie_name, _, value = first.partition("=")
            if cookie_name == name:
                parsed = {"value": value}
                for attribute in attributes:
                    key, _, attribute_value = attribute.partition("=")
                    parsed[key.lower()] = attribute_value
                return parsed
        raise AssertionError(f"no Set-Cookie for {name}: {self.headers.get_all('Set-Cookie')}")


@dataclass
class Service:
    dyno: Dyno
    database_url: str
    server_errors: list = field(default_factory=list)

    def web_log(self) -> str:
        return self.dyno.output("web")

    def mails_to(self, email: str) -> list[str]:
        """The log lines of the mails sent to `email` so far: without SMTP
        the worker writes each mail to its log."""
        return [
            line
            for line in self.dyno.output("worker").splitlines()
            if "email not sent" in line and re.search(rf"\bto={re.escape(email)}(\s|$)", line)
        ]

    def mailed_links(self, email: str, prefix: str = "/auth/reset/") -> list[str]:
        """The links under `prefix` mailed to `email` so far (reset links
        unless told otherwise)."""
        pattern = rf"(?:https?://[^\s/\"\\]+)?{re.escape(prefix)}[\w.-]+"
        return [link for line in self.mails_to(email) for link in re.findall(pattern, line)]

    def mailed_reset_links(self, email: str) -> list[str]:
        return self.mailed_links(email)

    def next_link(self, email: str, seen: int, prefix: str = "/auth/reset/") -> str:
        wait_until(
            lambda: len(self.mailed_links(email, prefix)) > seen, 30, f"a {prefix} mail to {email}"
        )
        return self.mailed_links(email, prefix)[seen]

    def next_reset_link(self, email: str, seen: int) -> str:
        return self.next_link(email, seen)

    def count(self, query: str, *parameters) -> int:
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            return connection.execute(query, parameters).fetchone()[0]

    def add_notes(self, email: str, count: int, body_length: int) -> None:
        """`count` notes for the account, written straight into the database."""
        import psycopg

        with psycopg.connect(self.database_url) as connection:
            connection.execute(
                "INSERT INTO notes (title, body, owner_id)"
                " SELECT 'note ' || n, repeat('b', %s), users.id"
                " FROM generate_series(1, %s) AS n, users WHERE users.email = %s",
                (body_length, count, email),
            )

    def notes_of(self, email: str) -> int:
        return self.count(
            "SELECT count(*) FROM notes JOIN users ON users.id = notes.owner_id"
            " WHERE users.email = %s",
            email,
        )

    def passwords_that_work(self, email: str, candidates: list[str]) -> list[str]:
        """Which of `candidates` is the account's password, as its hash says."""
        code = (
            "import sys\n"
            "from wsgi import app\n"
            "from my_service.accounts.models import user_by_email\n"
            "with app.app_context():\n"
            "    user = user_by_email(sys.argv[1])\n"
            "    for password in sys.argv[2:]:\n"
            "        print(password if user.check_password(password) else '')\n"
        )
        arguments = " ".join(shlex.quote(value) for value in (email, *candidates))
        result = self.dyno.run_command(f"python -c {shlex.quote(code)} {arguments}")
        assert result.returncode == 0, result.stdout + result.stderr
        return [line for line in result.stdout.splitlines() if line in candidates]

    def web_workers(self) -> list[int]:
        """The gunicorn workers: the processes under the web process that
        have none of their own (the master forks them)."""
        master = self.dyno.web_process.pid
        return [pid for pid in process_tree(master)[1:] if process_tree(pid) == [pid]]


class Browser:
    """One client behind the router, with its own address and cookies.

    Cookies are kept by hand: they are Secure, and a cookie jar would not
    send them over the loopback's plain http. Redirects are not followed, so
    each answer can be checked as it is.
    """

    def __init__(self, service: Service, address: str | None = None, **cookies: str):
        self.service = service
        self.address = address or fresh_address()
        self.cookies = dict(cookies)

    def router_headers(self, host: str, proto: str) -> dict[str, str]:
        headers = {
            "Host": host,
            "X-Forwarded-Proto": proto,
            "X-Forwarded-For": self.address,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
        host: str = PUBLIC_HOST,
        proto: str = "https",
    ) -> Answer:
        started = time.perf_counter()
        status, answer_headers, content = http_request(
            f"{self.service.dyno.url}{path}",
            method,
            {**self.router_headers(host, proto), **(headers or {})},
            body,
            timeout=TIMEOUT,
        )
        answer = Answer(status, answer_headers, content, time.perf_counter() - started)
        self.keep_cookies(answer)
        if answer.status >= 500:
            self.service.server_errors.append(f"{method} {path} -> {answer.status}")
        return answer

    def keep_cookies(self, answer: Answer) -> None:
        for header in answer.headers.get_all("Set-Cookie") or ():
            name = header.split("=", 1)[0].strip()
            cookie = answer.cookie(name)
            if not cookie["value"] or cookie.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie["value"]

    def get(self, path: str, **options) -> Answer:
        return self.request("GET", path, **options)

    def post(self, path: str, form: dict, headers: dict | None = None, **options) -> Answer:
        body = urllib.parse.urlencode(form).encode()
        # Over https, Flask-WTF also wants the browser's same-site Referer.
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{PUBLIC_URL}{path}",
            **(headers or {}),
        }
        return self.request("POST", path, body, headers, **options)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.text[:500])
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def submit(self, path: str, fields: dict, **options) -> Answer:
        """Fill in the form at `path` as a person would: with its CSRF token."""
        return self.post(path, {"csrf_token": self.csrf_token(path), **fields}, **options)

    def log_in(self, email: str, password: str, remember: bool = False, query: str = "") -> Answer:
        fields = {"email": email, "password": password}
        if remember:
            fields["remember"] = "y"
        return self.submit(f"/auth/login{query}", fields)

    def api(self, method: str, path: str, token: str, payload=None, raw: bytes | None = None):
        body = raw
        if payload is not None:
            body = json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, path, body, headers)

    def basic(self, username: str, password: str) -> Answer:
        """POST /api/v1/tokens with HTTP Basic credentials."""
        headers = {**basic_header(username, password), "Accept": "application/json"}
        return self.request("POST", "/api/v1/tokens", b"", headers)

    def token(self, email: str, password: str = PASSWORD) -> str:
        answer = self.basic(email, password)
        assert answer.status == 201, (answer.status, answer.text)
        return answer.json()["token"]

    def stream(self, path: str, length: int, chunks, headers: dict) -> Answer:
        """POST a body of `length` bytes, sent piece by piece from `chunks` only
        while the server has not answered: a server that answers from the
        headers alone is never made to take the body."""
        head = {**self.router_headers(PUBLIC_HOST, "https"), **headers}
        head["Content-Length"] = str(length)
        head["Connection"] = "close"
        lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", self.service.dyno.port), TIMEOUT) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            wait = 0.5  # for an answer to the headers alone
            sent = 0
            for chunk in chunks:
                if select.select([sock], [], [], wait)[0]:
                    break
                wait = 0
                try:
                    sock.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break  # the server answered and closed
                sent += len(chunk)
            response = http.client.HTTPResponse(sock)
            response.begin()
            answer = Answer(
                response.status,
                response.headers,
                response.read(),
                time.perf_counter() - started,
                sent,
            )
        if answer.status >= 500:
            self.service.server_errors.append(f"POST {path} (streamed) -> {answer.status}")
        return answer


CONFIRM = "/auth/verify/"  # the start of a mailed address confirmation link
CHOOSE_PASSWORD = "/auth/new-password"  # where a reset link leads, its token left behind


def register(service: Service, email: str, password: str = PASSWORD) -> Answer:
    """The sign-up form, filled in by a new browser."""
    return Browser(service).submit(
        "/auth/register", {"email": email, "password": password, "confirm": password}
    )


def basic_header(username: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def sign_up(
    service: Service, email: str, password: str = PASSWORD, log_in: bool = True
) -> Browser:
    """A new account through the sign-up page, its address confirmed by the
    mailed link; the browser is logged in (a password attempt the account's
    count takes in) unless `log_in` is false."""
    seen = len(service.mailed_links(email, CONFIRM))
    browser = Browser(service)
    answer = browser.submit(
        "/auth/register", {"email": email, "password": password, "confirm": password}
    )
    assert answer.status == 302, (email, answer.status, answer.text[:2000])
    link = service.next_link(email, seen, CONFIRM)
    confirmed = browser.get(urllib.parse.urlsplit(link).path)
    assert confirmed.status == 302, (confirmed.status, confirmed.text[:2000])
    if log_in:
        logged_in = browser.log_in(email, password)
        assert logged_in.status == 302, (logged_in.status, logged_in.text[:2000])
    return browser


def follow_reset_link(browser: Browser, link: str) -> Answer:
    """Open a mailed reset link: it should lead to the form, token-free."""
    return browser.get(urllib.parse.urlsplit(link).path)


def reset_by_mail(service: Service, email: str, new_password: str) -> str:
    """The whole reset: ask for the mail, follow its link, choose a password.
    The link, as mailed."""
    seen = len(service.mailed_reset_links(email))
    browser = Browser(service)
    asked = browser.submit("/auth/reset", {"email": email})
    assert asked.status == 302, (asked.status, asked.text[:2000])
    link = service.next_reset_link(email, seen)
    followed = follow_reset_link(browser, link)
    assert followed.status == 302, (followed.status, followed.text[:2000])
    assert followed.location_path == CHOOSE_PASSWORD
    chosen = browser.submit(CHOOSE_PASSWORD, {"password": new_password, "confirm": new_password})
    assert chosen.status == 302, (chosen.status, chosen.text[:2000])
    assert chosen.location_path == "/auth/login"
    return link


def assert_json_error(answer: Answer, status: int) -> None:
    """The service's one error body for API clients."""
    assert answer.status == status, (answer.status, answer.text[:2000])
    assert answer.headers.get_content_type() == "application/json", answer.headers
    body = answer.json()
    assert body["code"] == status, body
    assert {"status", "message", "request_id"} <= body.keys(), body


def assert_refused_for_a_while(answer: Answer) -> None:
    assert answer.status == 429, (answer.status, answer.text[:2000])
    assert int(answer.headers["Retry-After"]) > 0, answer.headers


def assert_sent_to_log_in(answer: Answer) -> None:
    assert answer.status == 302, (answer.status, answer.text[:500])
    assert answer.location_path == "/auth/login", answer.headers["Location"]


@pytest.fixture(scope="module")
def service(dyno_project, tmp_path_factory):
    """The default project released and running as web and worker dynos,
    with an admin and a user made by the management commands."""
    project = dyno_project("default")
    logs = tmp_path_factory.mktemp("attacks")
    # A Redis of its own: the shared one is neither flushed nor counted in.
    redis = OwnRedis()
    with fresh_postgres_database() as database, contextlib.closing(redis):
        environ = production(
            logs,
            # Heroku's spelling of the URL.
            DATABASE_URL="postgres://" + database.split("://", 1)[1],
            REDIS_URL=redis.url,
            PUBLIC_URL=PUBLIC_URL,
            ALLOWED_HOSTS=OTHER_PUBLIC_HOST,
        )
        dyno = Dyno(project, project_venv(project), logs, **environ)
        dyno.release()
        accounts = dyno.run_command(
            f"flask create-admin --email {ADMIN_EMAIL} --password '{PASSWORD}' && "
            f"flask create-user --email {CLI_USER_EMAIL} --password '{PASSWORD}'"
        )
        assert accounts.returncode == 0, accounts.stdout + accounts.stderr
        worker = dyno.start("worker")
        try:
            with dyno.web():
                yield Service(dyno, database)
        finally:
            Dyno.stop(worker)


def test_password_guessing_through_the_api_is_limited_per_address_and_per_account(service):
    sign_up(service, "api-guessed@example.com", log_in=False)
    sign_up(service, "api-other@example.com", log_in=False)

    # One address guessing at many accounts runs out after five tries.
    guesser = Browser(service)
    for n in range(5):
        assert guesser.basic(f"api-nobody-{n}@example.com", WRONG_PASSWORD).status == 401
    refused = guesser.basic("api-nobody-5@example.com", WRONG_PASSWORD)
    assert_json_error(refused, 429)
    assert_refused_for_a_while(refused)

    # Rotating addresses does not help: the account itself runs out.
    for _ in range(5):
        assert Browser(service).basic("api-guessed@example.com", WRONG_PASSWORD).status == 401
    refused = Browser(service).basic("api-guessed@example.com", WRONG_PASSWORD)
    assert_json_error(refused, 429)
    assert_refused_for_a_while(refused)

    # Meanwhile another person, elsewhere, gets their token.
    assert Browser(service).basic("api-other@example.com", PASSWORD).status == 201


def test_password_guessing_through_the_login_form_is_limited_per_address_and_per_account(service):
    sign_up(service, "form-guessed@example.com", log_in=False)
    sign_up(service, "form-other@example.com", log_in=False)

    guesser = Browser(service)
    for n in range(5):
        assert guesser.log_in(f"form-nobody-{n}@example.com", WRONG_PASSWORD).status == 200
    refused = guesser.log_in("form-nobody-5@example.com", WRONG_PASSWORD)
    assert_refused_for_a_while(refused)
    assert refused.headers.get_content_type() == "text/html"

    for _ in range(5):
        assert Browser(service).log_in("form-guessed@example.com", WRONG_PASSWORD).status == 200
    refused = Browser(service).log_in("form-guessed@example.com", WRONG_PASSWORD)
    assert_refused_for_a_while(refused)
    assert refused.headers.get_content_type() == "text/html"

    logged_in = Browser(service).log_in("form-other@example.com", PASSWORD)
    assert logged_in.status == 302
    assert logged_in.location_path == "/notes/"


def test_keep_me_logged_in_is_a_secure_two_week_cookie_that_logout_everywhere_revokes(service):
    email = "remember@example.com"
    sign_up(service, email)
    browser = Browser(service)
    answer = browser.log_in(email, PASSWORD, remember=True)
    assert answer.status == 302

    cookie = answer.cookie("remember_token")
    assert {"secure", "httponly"} <= cookie.keys(), cookie
    assert cookie.get("samesite", "").lower() == "lax", cookie
    if "max-age" in cookie:
        lifetime = int(cookie["max-age"])
    else:
        lifetime = parsedate_to_datetime(cookie["expires"]).timestamp() - time.time()
    assert 13 * 86400 <= lifetime <= 15 * 86400, cookie

    # The cookie alone, in another browser, logs in: that is its use...
    remember_token = cookie["value"]
    assert Browser(service, remember_token=remember_token).get("/notes/").status == 200

    # ...until the account logs out everywhere.
    token = browser.csrf_token("/notes/")
    out = browser.post("/auth/logout-everywhere", {"csrf_token": token})
    assert out.status in (302, 303), (out.status, out.text[:2000])
    assert_sent_to_log_in(Browser(service, remember_token=remember_token).get("/notes/"))


def test_a_password_reset_ends_other_sessions_and_revokes_api_tokens(service):
    email = "reset-sessions@example.com"
    sign_up(service, email)
    elsewhere = Browser(service)
    assert elsewhere.log_in(email, PASSWORD, remember=True).status == 302
    remember_token = elsewhere.cookies["remember_token"]
    assert elsewhere.get("/notes/").status == 200
    old_token = Browser(service).token(email)
    assert Browser(service).api("GET", "/api/v1/notes", old_token).status == 200

    reset_by_mail(service, email, NEW_PASSWORD)

    assert_sent_to_log_in(elsewhere.get("/notes/"))
    assert_sent_to_log_in(Browser(service, remember_token=remember_token).get("/notes/"))
    assert_json_error(Browser(service).api("GET", "/api/v1/notes", old_token), 401)
    new_token = Browser(service).token(email, NEW_PASSWORD)
    assert Browser(service).api("GET", "/api/v1/notes", new_token).status == 200


def test_reset_links_come_from_the_public_url_and_other_hosts_are_refused(service):
    email = "reset-host@example.com"
    sign_up(service, email)

    # A forged Host gets no mail sent, nor any page.
    browser = Browser(service)
    token = browser.csrf_token("/auth/reset")
    forged = browser.post("/auth/reset", {"csrf_token": token, "email": email}, host="evil.example")
    assert forged.status == 400, (forged.status, forged.text[:2000])
    assert Browser(service).get("/", host="evil.example").status == 400
    assert Browser(service).get("/", host=OTHER_PUBLIC_HOST).status == 200

    link = reset_by_mail(service, email, NEW_PASSWORD)
    assert link.startswith(f"{PUBLIC_URL}/auth/reset/"), link
    assert "evil.example" not in service.dyno.output("worker")
    assert Browser(service).log_in(email, NEW_PASSWORD).status == 302


def test_login_takes_as_long_for_an_unknown_email_as_for_a_wrong_password(service):
    # Two accounts, three wrong passwords each: under the per-account limit.
    accounts = ["timing-1@example.com", "timing-2@example.com"]
    for email in accounts:
        sign_up(service, email)
    known, unknown = [], []
    for n in range(6):  # interleaved, so that a slow moment hits both alike
        for email, times in ((accounts[n % 2], known), (f"timing-nobody-{n}@example.com", unknown)):
            answer = Browser(service).log_in(email, WRONG_PASSWORD)
            assert answer.status == 200, answer.status
            times.append(answer.seconds)
    ratio = statistics.median(known) / statistics.median(unknown)
    record_figure(
        f"attacks: login with a wrong password {statistics.median(known) * 1000:.0f} ms, "
        f"with an unknown email {statistics.median(unknown) * 1000:.0f} ms (medians of 6)"
    )
    assert 0.5 <= ratio <= 2, (known, unknown)


def test_oversized_bodies_are_refused_with_413_before_they_are_read(service):
    email = "big-bodies@example.com"
    sign_up(service, email)
    token = Browser(service).token(email)
    workers = service.web_workers()
    before = {pid: resident_mb(pid) for pid in workers}

    # 100 MB announced, without any account: sent only while unanswered.
    first = b"email=x&password="
    form_chunks = itertools.chain(
        [first + b"a" * (MB - len(first))], itertools.repeat(b"a" * MB, 99)
    )
    form = Browser(service).stream(
        "/auth/login",
        100 * MB,
        form_chunks,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{PUBLIC_URL}/"},
    )
    assert form.status == 413, (form.status, form.text[:2000])
    assert form.headers.get_content_type() == "text/html"
    assert form.seconds < 5, form.seconds

    # 2 MB of valid JSON from a logged-in client: over the 1 MB default.
    payload = json.dumps({"title": "big", "body": "b" * (2 * MB)}).encode()
    pieces = (payload[start : start + MB] for start in range(0, len(payload), MB))
    big_json = Browser(service).stream(
        "/api/v1/notes",
        len(payload),
        pieces,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert_json_error(big_json, 413)

    after = {pid: resident_mb(pid) for pid in service.web_workers()}
    growth = max(after[pid] - before[pid] for pid in before.keys() & after.keys())
    record_figure(
        f"attacks: a 100 MB form post answered {form.status} in {form.seconds * 1000:.0f} ms, "
        f"after {form.sent / MB:.0f} MB of it; web workers grew by at most {growth:.1f} MB"
    )
    assert growth < 20, (before, after)

    # A note of ordinary size still goes in.
    ordinary = Browser(service).api("POST", "/api/v1/notes", token, {"title": "t", "body": "b"})
    assert ordinary.status == 201, ordinary.text


def test_plain_http_through_the_router_is_redirected_to_https(service):
    browser = Browser(service)
    page = browser.get("/", proto="http")
    assert page.status == 301, page.status
    assert page.headers["Location"] == f"{PUBLIC_URL}/"
    # The redirect is marked like any other answer.
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]

    # 308 keeps the method and body of a POST.
    form = browser.post("/auth/login", {}, proto="http")
    assert form.status == 308, form.status
    assert form.headers["Location"] == f"{PUBLIC_URL}/auth/login"

    # The router's and monitors' health check stays reachable over http.
    assert browser.get("/healthz", proto="http").status == 200
    assert browser.get("/").status == 200


def test_inputs_that_crashed_the_service_get_4xx_answers(service):
    email = "crashers@example.com"
    browser = sign_up(service, email)
    token = Browser(service).token(email)

    def notes_of_the_account():
        return service.count(
            "SELECT count(*) FROM notes JOIN users ON users.id = notes.owner_id"
            " WHERE users.email = %s",
            email,
        )

    # Each case: what was sent, and the statuses that would be right.
    answers = {
        "page id beyond integer range": (
            browser.get("/notes/99999999999999999999").status, {404}),
        "lone surrogate in JSON": (
            browser.api("POST", "/api/v1/notes", token,
                        raw=b'{"title": "\\ud800", "body": ""}').status, {422}),
        "deep JSON nesting": (
            browser.api("POST", "/api/v1/notes", token, raw=b"[" * 100_000).status, {400}),
        "5000-digit number": (
            browser.api("POST", "/api/v1/notes", token,
                        raw=b'{"title": ' + b"9" * 5000 + b', "body": ""}').status, {400, 422}),
        "API title of 201 characters": (
            browser.api("POST", "/api/v1/notes", token, {"title": "t" * 201}).status, {422}),
        "API body of 20001 characters": (
            browser.api("POST", "/api/v1/notes", token,
                        {"title": "t", "body": "b" * 20_001}).status, {422}),
    }
    for name, username, password in (
        ("NUL in a Basic username", "crash\x00ers@example.com", PASSWORD),
        ("ESC in a Basic password", email, "pass\x1bword long enough"),
        ("newline in a Basic username", "crashers@example.com\nx", PASSWORD),
    ):
        answers[name] = (Browser(service).basic(username, password).status, {401})
    wrong = {name: status for name, (status, right) in answers.items() if status not in right}
    assert not wrong, wrong

    # The pages refuse what the API refuses, with a form error, and store nothing.
    for fields in (
        {"title": "nul\x00title", "body": "b"},
        {"title": "t", "body": "nul\x00body"},
        {"title": "t" * 201, "body": "b"},
        {"title": "t", "body": "b" * 20_001},
    ):
        page = browser.submit("/notes/new", fields)
        assert page.status == 200, (page.status, {k: v[:20] for k, v in fields.items()})
        assert 'class="error"' in page.text
    assert notes_of_the_account() == 0

    # The largest note that is allowed goes in both ways.
    largest = {"title": "t" * 200, "body": "b" * 20_000}
    assert browser.api("POST", "/api/v1/notes", token, largest).status == 201
    assert browser.submit("/notes/new", largest).status == 302
    assert notes_of_the_account() == 2

    # A control character in next= is ignored, not followed nor crashed on.
    for query in ("?next=/%00evil", "?next=/%0d%0aSet-Cookie:x=y"):
        answer = Browser(service).log_in(email, PASSWORD, query=query)
        assert answer.status == 302, (query, answer.status)
        assert answer.location_path == "/notes/", (query, answer.headers["Location"])
        assert "x=y" not in str(answer.headers.get_all("Set-Cookie")), query


def test_lookalike_emails_cannot_make_a_second_account(service):
    precomposed, decomposed = "\u00e4nne@example.com", "a\u0308nne@example.com"
    ascii_letters, fullwidth = "anna@example.com", "\uff41\uff4e\uff4e\uff41@example.com"
    for first, lookalike in ((precomposed, decomposed), (ascii_letters, fullwidth)):
        sign_up(service, first)
        again = register(service, lookalike, WRONG_PASSWORD)
        # Answered as a new sign-up; the account's owner is told by mail.
        assert again.status == 302, (lookalike, again.status)
        assert again.location_path == "/auth/login"
        wait_until(
            lambda first=first: any("already has an account" in m for m in service.mails_to(first)),
            30,
            f"the notice to {first}",
        )
    for spelling in (precomposed, decomposed, ascii_letters, fullwidth):
        answer = Browser(service).log_in(spelling, PASSWORD)
        assert answer.status == 302, (spelling, answer.status)
    assert service.count("SELECT count(*) FROM users WHERE email LIKE %s", "%nn%@example.com") == 2


def test_control_characters_in_requests_are_escaped_in_the_log(service):
    browser = Browser(service)
    assert browser.get("/%1b[31mred%00x%E2%80%A8y%C2%85z").status == 404
    # A forged log line, through CR LF in the path.
    assert browser.get("/x%0d%0alevel=error%20msg=forged").status == 404

    log = (service.dyno.logs / "web.log").read_bytes()
    for raw in (b"\x1b", b"\x00", "\u2028".encode(), "\x85".encode()):
        assert raw not in log, raw
    line = next(line for line in log.decode().splitlines() if "[31mred" in line)
    for escaped in (r"\\(x1b|u001b|e)", r"\\(x00|u0000|0)", r"\\u2028", r"\\(x85|u0085)"):
        assert re.search(escaped, line), (escaped, line)
    assert not any(line.startswith("level=error msg=forged") for line in log.decode().splitlines())


def test_the_admin_shows_no_sql_and_takes_only_valid_input(service):
    admin = Browser(service)
    assert admin.log_in(ADMIN_EMAIL, PASSWORD).status == 302
    new_user = "/admin/admin_users/new/"
    form = admin.get(new_user)
    assert form.status == 200
    fields = set(re.findall(r'name="([^"]+)"', form.text))
    assert {"csrf_token", "email", "password"} <= fields, fields

    duplicate = admin.submit(new_user, {"email": CLI_USER_EMAIL, "password": NEW_PASSWORD})
    assert duplicate.status == 200, duplicate.status
    assert "exists already" in duplicate.text
    for leak in ("INSERT", "password_hash", "scrypt:"):
        assert leak not in duplicate.text, leak

    not_an_email = admin.submit(new_user, {"email": "not an email", "password": NEW_PASSWORD})
    assert not_an_email.status == 200, not_an_email.status
    assert service.count("SELECT count(*) FROM users WHERE email LIKE %s", "not%") == 0

    # An admin still creates an account.
    made = admin.submit(new_user, {"email": "made-by-admin@example.com", "password": NEW_PASSWORD})
    assert made.status == 302, (made.status, made.text[:2000])
    assert Browser(service).log_in("made-by-admin@example.com", NEW_PASSWORD).status == 302

    assert admin.get("/admin/admin_users/?page=-1").status == 200
    assert admin.get("/admin/admin_users/?search=%00").status in (200, 400)


def test_reset_mails_for_one_account_are_limited_whatever_the_address(service):
    email = "reset-flood@example.com"
    sign_up(service, email)
    for _ in range(3):
        asked = Browser(service).submit("/auth/reset", {"email": email})
        assert asked.status == 302, asked.status
    assert_refused_for_a_while(Browser(service).submit("/auth/reset", {"email": email}))
    # The three allowed ones were mailed.
    wait_until(lambda: len(service.mailed_reset_links(email)) == 3, 30, "three reset mails")


def test_answers_carrying_credentials_or_private_pages_are_not_cached(service):
    email = "no-store@example.com"
    browser = sign_up(service, email)
    issued = Browser(service).basic(email, PASSWORD)
    assert issued.status == 201
    assert "no-store" in issued.headers.get("Cache-Control", ""), issued.headers
    notes = browser.get("/notes/")
    assert notes.status == 200
    assert "no-store" in notes.headers.get("Cache-Control", ""), notes.headers


def test_a_successful_login_redirect_carries_no_rate_limit_headers(service):
    email = "clean-redirect@example.com"
    sign_up(service, email)
    answer = Browser(service).log_in(email, PASSWORD)
    assert answer.status == 302
    names = {name.lower() for name in answer.headers}
    assert "retry-after" not in names, answer.headers
    assert not any(name.startswith("x-ratelimit") for name in names), answer.headers


def test_flask_check_flags_production_without_mail(service):
    check = service.dyno.run_command("flask check")
    output = check.stdout + check.stderr
    assert check.returncode == 1, output
    assert any(
        re.search(r"smtp|mail", line, re.IGNORECASE) for line in output.splitlines()
    ), output


def test_logging_out_ends_every_copy_of_the_sessions_cookies(service):
    email = "copied-cookies@example.com"
    sign_up(service, email)
    browser = Browser(service)
    assert browser.log_in(email, PASSWORD, remember=True).status == 302
    # What a thief copied: each cookie alone, used from elsewhere.
    copies = [
        Browser(service, session=browser.cookies["session"]),
        Browser(service, remember_token=browser.cookies["remember_token"]),
    ]
    for copy in copies:
        assert copy.get("/notes/").status == 200
    elsewhere = Browser(service)  # the same person, logged in on another device
    assert elsewhere.log_in(email, PASSWORD, remember=True).status == 302
    assert elsewhere.cookies["remember_token"] != browser.cookies["remember_token"]

    out = browser.post("/auth/logout", {"csrf_token": browser.csrf_token("/notes/")})
    assert out.status == 302
    for copy in copies:
        assert_sent_to_log_in(copy.get("/notes/"))
    assert elsewhere.get("/notes/").status == 200


def test_a_login_starts_a_fresh_session(service):
    email = "fixation@example.com"
    sign_up(service, email)
    # A session someone made and planted in the victim's browser, its CSRF
    # token known to them.
    planted = Browser(service)
    known_token = planted.csrf_token("/auth/login")
    victim = Browser(service, session=planted.cookies["session"])
    fields = {"csrf_token": known_token, "email": email, "password": PASSWORD}
    answer = victim.post("/auth/login", fields)
    assert answer.status == 302
    assert victim.cookies["session"] != planted.cookies["session"]
    # The planted token no longer passes; the victim's own page's does.
    assert victim.post("/auth/logout", {"csrf_token": known_token}).status == 400
    assert victim.get("/notes/").status == 200
    assert planted.get("/notes/").status == 302


def test_the_account_page_lists_sessions_and_ends_any(service):
    email = "sessions-page@example.com"
    laptop = sign_up(service, email)
    phone = Browser(service)
    assert phone.log_in(email, PASSWORD).status == 302
    assert phone.get("/notes/").status == 200

    page = laptop.get("/account/")
    assert page.status == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert laptop.address in page.text and phone.address in page.text
    assert page.text.count("(this browser)") == 1
    others = re.findall(r'action="(/account/sessions/\d+/end)"', page.text)
    this_one = re.search(r'this-session".*?action="(/account/sessions/\d+/end)"', page.text, re.S)
    [phone_session] = [path for path in others if path != this_one.group(1)]

    # Without the CSRF token nothing ends; with it, the phone is logged out.
    assert laptop.post(phone_session, {}).status == 400
    assert phone.get("/notes/").status == 200
    ended = laptop.post(phone_session, {"csrf_token": laptop.csrf_token("/account/")})
    assert ended.status == 302
    assert_sent_to_log_in(phone.get("/notes/"))
    assert laptop.get("/notes/").status == 200
    # Another account cannot end this one's session.
    stranger = sign_up(service, "sessions-stranger@example.com")
    mine = this_one.group(1)
    assert stranger.post(mine, {"csrf_token": stranger.csrf_token("/account/")}).status == 404
    assert laptop.get("/notes/").status == 200


def test_reset_tokens_stay_out_of_the_web_log(service):
    email = "reset-log@example.com"
    sign_up(service, email)
    link = reset_by_mail(service, email, NEW_PASSWORD)
    token = link.rpartition("/")[2]
    log = service.web_log()
    assert token not in log
    assert "path=/auth/reset/[hidden]" in log
    assert Browser(service).log_in(email, NEW_PASSWORD).status == 302


def ask_for_reset_link(service: Service, email: str) -> str:
    seen = len(service.mailed_reset_links(email))
    assert Browser(service).submit("/auth/reset", {"email": email}).status == 302
    return service.next_reset_link(email, seen)


def test_a_reset_link_dies_with_an_address_change_or_logging_out_everywhere(service):
    email, moved = "reset-moved@example.com", "reset-moved-here@example.com"
    sign_up(service, email)
    link = ask_for_reset_link(service, email)
    admin = Browser(service)
    assert admin.log_in(ADMIN_EMAIL, PASSWORD).status == 302
    listing = admin.get(f"/admin/admin_users/?search={urllib.parse.quote(email)}")
    user_id = re.search(r"/admin/admin_users/edit/\?id=(\d+)", listing.text).group(1)
    edit = f"/admin/admin_users/edit/?id={user_id}"
    changed = admin.submit(edit, {"email": moved, "password": ""})
    assert changed.status == 302, (changed.status, changed.text[:2000])
    refused = follow_reset_link(Browser(service), link)
    assert refused.location_path == "/auth/reset"

    other = "reset-everywhere@example.com"
    browser = sign_up(service, other)
    link = ask_for_reset_link(service, other)
    out = browser.post("/auth/logout-everywhere", {"csrf_token": browser.csrf_token("/notes/")})
    assert out.status == 302
    assert follow_reset_link(Browser(service), link).location_path == "/auth/reset"
    # A link asked for afterwards works, at the address the account has now.
    reset_by_mail(service, moved, NEW_PASSWORD)
    assert Browser(service).log_in(moved, NEW_PASSWORD).status == 302


def test_the_admin_returns_to_no_other_site(service):
    admin = Browser(service)
    assert admin.log_in(ADMIN_EMAIL, PASSWORD).status == 302
    # Each spelling a browser reads as another site, on a record that is not
    # there (Flask-Admin then goes straight back to `url`) and on one that is.
    spellings = ("https:evil.example", "//evil.example", "/\\evil.example", "https:///evil.example")
    for view in ("edit", "details"):
        for record in ("0", "1"):
            for url in spellings:
                query = urllib.parse.urlencode({"id": record, "url": url})
                answer = admin.get(f"/admin/admin_users/{view}/?{query}")
                assert "evil.example" not in answer.headers.get("Location", ""), (view, url)
                assert answer.status in (200, 302, 400), (view, url, answer.status)


def test_the_admin_changes_a_user_and_keeps_the_email(service):
    email = "kept-by-admin@example.com"
    sign_up(service, email)
    admin = Browser(service)
    assert admin.log_in(ADMIN_EMAIL, PASSWORD).status == 302
    listing = admin.get(f"/admin/admin_users/?search={urllib.parse.quote(email)}")
    user_id = re.search(r"/admin/admin_users/edit/\?id=(\d+)", listing.text).group(1)
    edit = f"/admin/admin_users/edit/?id={user_id}"
    changed = admin.submit(edit, {"email": email, "password": NEW_PASSWORD})
    assert changed.status == 302, (changed.status, changed.text[:2000])
    assert Browser(service).log_in(email, NEW_PASSWORD).status == 302


def test_six_uses_of_one_reset_link_at_once_change_the_password_once(service):
    email = "reset-race@example.com"
    sign_up(service, email)
    link = ask_for_reset_link(service, email)
    browsers = [Browser(service) for _ in range(6)]
    tokens = []
    for browser in browsers:  # each at the form, before any sends it
        assert follow_reset_link(browser, link).location_path == CHOOSE_PASSWORD
        tokens.append(browser.csrf_token(CHOOSE_PASSWORD))
    passwords = [f"the racing password number {n}" for n in range(6)]
    start = threading.Barrier(6)

    def choose(n):
        start.wait()
        fields = {"csrf_token": tokens[n], "password": passwords[n], "confirm": passwords[n]}
        return browsers[n].post(CHOOSE_PASSWORD, fields)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(choose, range(6)))
    assert [a.status for a in answers] == [302] * 6
    places = sorted(a.location_path for a in answers)
    assert places == ["/auth/login"] + ["/auth/reset"] * 5, places
    # Asked of the database, not by logging in six times (the account's count).
    working = service.passwords_that_work(email, passwords)
    assert len(working) == 1, working
    assert working[0] == passwords[[a.location_path for a in answers].index("/auth/login")]


def test_sign_up_asks_for_a_confirmed_address_and_tells_nobody_who_has_an_account(service):
    email = "unconfirmed@example.com"
    answer = register(service, email)
    assert answer.status == 302 and answer.location_path == "/auth/login"
    link = service.next_link(email, 0, CONFIRM)

    browser = Browser(service)
    assert browser.log_in(email, PASSWORD).status == 302  # it may log in...
    held_back = browser.get("/notes/")
    assert held_back.status == 403  # ...but not use the notes
    assert "Confirm your email address" in held_back.text
    assert 'action="/auth/verify"' in held_back.text
    token = Browser(service).token(email)
    assert_json_error(Browser(service).api("GET", "/api/v1/notes", token), 403)
    # The button mails another link.
    resend = browser.post("/auth/verify", {"csrf_token": browser.csrf_token("/account/")})
    assert resend.status == 302
    service.next_link(email, 1, CONFIRM)

    assert browser.get(urllib.parse.urlsplit(link).path).status == 302
    assert browser.get("/notes/").status == 200
    assert Browser(service).api("GET", "/api/v1/notes", token).status == 200
    assert f"{CONFIRM}[hidden]" in service.web_log()

    # A sign-up naming a taken address is answered as one naming a free
    # address, in about as long, and its owner is told by mail.
    taken, free = [], []
    for n in range(4):
        owner = CLI_USER_EMAIL if n % 2 else ADMIN_EMAIL
        for who, times in ((owner, taken), (f"free-{n}@example.com", free)):
            answer = register(service, who, WRONG_PASSWORD)
            assert (answer.status, answer.location_path) == (302, "/auth/login"), who
            times.append(answer.seconds)
    ratio = statistics.median(taken) / statistics.median(free)
    record_figure(
        f"attacks: sign-up naming a taken address {statistics.median(taken) * 1000:.0f} ms, "
        f"a free one {statistics.median(free) * 1000:.0f} ms (medians of 4)"
    )
    assert 0.5 <= ratio <= 2, (taken, free)
    wait_until(
        lambda: any("already has an account" in m for m in service.mails_to(ADMIN_EMAIL)),
        30,
        "the notice to the account's owner",
    )
    assert Browser(service).log_in(ADMIN_EMAIL, PASSWORD).status == 302  # nothing changed


def test_parallel_sign_ups_with_one_address_get_no_server_error(service):
    email = "parallel@example.com"
    browsers = [Browser(service) for _ in range(6)]
    tokens = [browser.csrf_token("/auth/register") for browser in browsers]
    start = threading.Barrier(6)

    def sign_up_now(n):
        start.wait()
        fields = {"email": email, "password": PASSWORD, "confirm": PASSWORD}
        return browsers[n].post("/auth/register", {"csrf_token": tokens[n], **fields}).status

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(sign_up_now, range(6)))
    # Three are let through (SIGNUP_RATE_LIMIT) to race for the address.
    assert sorted(statuses) == [302] * 3 + [429] * 3, statuses
    assert service.count("SELECT count(*) FROM users WHERE email = %s", email) == 1


def test_there_is_no_mailbox_in_production(service):
    assert Browser(service).get("/dev/mail/").status == 404


def test_a_basic_header_does_not_move_a_form_post_to_another_account(service):
    email, other = "basic-decoy@example.com", "basic-other@example.com"
    sign_up(service, email, log_in=False)
    sign_up(service, other, log_in=False)

    # Wrong passwords for the account, each from a new address and naming a
    # new account in HTTP Basic: the form's email is what is counted.
    def guess(n: int) -> Answer:
        decoy = basic_header(f"decoy-{n}@example.com", WRONG_PASSWORD)
        return Browser(service).submit(
            "/auth/login", {"email": email, "password": WRONG_PASSWORD}, headers=decoy
        )

    assert [guess(n).status for n in range(5)] == [200] * 5
    assert_refused_for_a_while(guess(5))
    decoy = basic_header("decoy-right@example.com", WRONG_PASSWORD)
    right = Browser(service).submit(
        "/auth/login", {"email": email, "password": PASSWORD}, headers=decoy
    )
    assert_refused_for_a_while(right)  # the account waits out the guesses

    # The same on the reset form: three mails for the account, whatever Basic says.
    def ask(n: int) -> Answer:
        decoy = basic_header(f"reset-decoy-{n}@example.com", "x")
        return Browser(service).submit("/auth/reset", {"email": other}, headers=decoy)

    assert [ask(n).status for n in range(3)] == [302] * 3
    assert_refused_for_a_while(ask(3))

    # Behind a proxy's HTTP Basic (one header for everyone), people log in,
    # each on their own account's count.
    staging = basic_header("staging", "shared")
    for account in ("staging-1@example.com", "staging-2@example.com"):
        sign_up(service, account)
        for _ in range(3):
            fields = {"email": account, "password": PASSWORD}
            answer = Browser(service).submit("/auth/login", fields, headers=staging)
            assert answer.status == 302, (account, answer.status)


def test_password_attempts_sent_at_once_are_counted_before_any_is_checked(service):
    email = "all-at-once@example.com"
    sign_up(service, email, log_in=False)
    sign_up(service, "all-at-once-other@example.com", log_in=False)
    guessers = [Browser(service) for _ in range(30)]
    tokens = [guesser.csrf_token("/auth/login") for guesser in guessers]
    together = threading.Barrier(len(guessers))

    def guess(n: int) -> int:
        together.wait()
        fields = {"csrf_token": tokens[n], "email": email, "password": WRONG_PASSWORD}
        return guessers[n].post("/auth/login", fields).status

    with ThreadPoolExecutor(len(guessers)) as pool:
        statuses = list(pool.map(guess, range(len(guessers))))
    checked = statuses.count(200)
    record_figure(
        f"attacks: 30 wrong passwords at once from 30 addresses: {checked} checked, "
        f"{statuses.count(429)} refused (ACCOUNT_RATE_LIMIT 5 a minute)"
    )
    assert sorted(statuses) == [200] * 5 + [429] * 25, statuses

    other = Browser(service).log_in("all-at-once-other@example.com", PASSWORD)
    assert other.status == 302


def test_an_ipv6_client_is_limited_by_its_64(service):
    # One machine takes a new address in its /64 for every guess.
    def guess(address: str, n: int) -> Answer:
        browser = Browser(service, address=address)
        return browser.log_in(f"v6-nobody-{n}@example.com", WRONG_PASSWORD)

    statuses = [guess(f"2001:db8:64:1::{n:x}", n).status for n in range(1, 6)]
    assert statuses == [200] * 5
    assert_refused_for_a_while(guess("2001:db8:64:1:ffff:ffff:ffff:ffff", 6))

    # Its neighbour in the next /64, and an IPv4 client, are not held back.
    email = "v6-person@example.com"
    sign_up(service, email)
    assert Browser(service, address="2001:db8:64:2::1").log_in(email, PASSWORD).status == 302
    assert Browser(service).log_in(email, PASSWORD).status == 302


def test_one_account_cannot_fill_the_database(service):
    email = "filler@example.com"
    browser = sign_up(service, email)
    token = Browser(service).token(email)
    note = {"title": "filler", "body": "b" * 20_000}

    # The attack: notes of 20 kB as fast as one token sends them.
    started = time.perf_counter()
    answers = [browser.api("POST", "/api/v1/notes", token, note) for _ in range(80)]
    seconds = time.perf_counter() - started
    statuses = [answer.status for answer in answers]
    assert statuses == [201] * 60 + [429] * 20, statuses  # WRITE_RATE_LIMIT: 60 a minute
    assert_json_error(answers[-1], 429)
    assert_refused_for_a_while(answers[-1])
    record_figure(
        f"attacks: 80 notes of 20 kB from one token in {seconds:.1f} s: 60 stored, 20 refused 429"
    )
    # The pages draw on the same count, and nothing refused was stored.
    page = browser.submit("/notes/new", note)
    assert_refused_for_a_while(page)
    assert page.headers.get_content_type() == "text/html"
    assert service.notes_of(email) == 60

    # The quota: an account holding as many notes as it may gets 403 both
    # ways, its text kept on the page; deleting one makes room again.
    full = "full@example.com"
    full_browser = sign_up(service, full)
    full_token = Browser(service).token(full)
    service.add_notes(full, QUOTA - 1, 0)
    assert full_browser.api("POST", "/api/v1/notes", full_token, {"title": "last"}).status == 201
    refused = full_browser.api("POST", "/api/v1/notes", full_token, {"title": "one more"})
    assert_json_error(refused, 403)
    page = full_browser.submit("/notes/new", {"title": "one more", "body": "typed text"})
    assert page.status == 403, page.status
    assert "typed text" in page.text and "Delete some to make room" in page.text
    assert service.notes_of(full) == QUOTA
    last = full_browser.api("GET", "/api/v1/notes?page_size=1", full_token).json()[0]
    assert full_browser.api("DELETE", f"/api/v1/notes/{last['id']}", full_token).status == 204
    assert full_browser.submit("/notes/new", {"title": "room again"}).status == 302
    assert service.notes_of(full) == QUOTA

    # Another account writes on, both ways.
    other = "not-a-filler@example.com"
    other_browser = sign_up(service, other)
    other_token = Browser(service).token(other)
    assert other_browser.api("POST", "/api/v1/notes", other_token, note).status == 201
    assert other_browser.submit("/notes/new", note).status == 302


def test_a_long_notes_list_comes_a_page_at_a_time_in_little_memory(service):
    email = "many-notes@example.com"
    browser = sign_up(service, email)
    service.add_notes(email, 4000, 20_000)  # what one token stored in 13 s before the limits
    workers = service.web_workers()
    before = {pid: resident_mb(pid) for pid in workers}

    started = time.perf_counter()
    pages = [browser.get("/notes/") for _ in range(2 * len(workers) + 2)]
    seconds = (time.perf_counter() - started) / len(pages)
    for page in pages:
        assert page.status == 200, page.status
        assert len(re.findall(r'<a href="/notes/\d+">', page.text)) == 20, page.text[:2000]
        assert "Page 1 of 200" in page.text
        assert 'href="/notes/?page=2" rel="next"' in page.text
    assert browser.get("/notes/?page=200").status == 200
    assert browser.get("/notes/?page=201").status == 404

    after = {pid: resident_mb(pid) for pid in service.web_workers()}
    growth = max(after[pid] - before[pid] for pid in before.keys() & after.keys())
    record_figure(
        f"attacks: the notes page of an account with 4,000 notes of 20 kB: "
        f"{seconds * 1000:.0f} ms a page, web workers grew by at most {growth:.1f} MB"
    )
    assert growth < 20, (before, after)


def set_up_an_authenticator_app(browser: Browser) -> tuple[str, list[str]]:
    """Turn on two-factor login from the account page, as a person does:
    the key the setup page shows, and the recovery codes."""
    started = browser.post(
        "/account/two-factor/setup", {"csrf_token": browser.csrf_token("/account/")}
    )
    assert started.status == 302, (started.status, started.text[:2000])
    page = browser.get("/account/two-factor/confirm")
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    confirmed = browser.submit("/account/two-factor/confirm", {"code": authenticator_code(secret)})
    assert confirmed.status == 200, (confirmed.status, confirmed.text[:2000])
    codes = re.findall(r"<code>([A-Z0-9-]{19})</code>", confirmed.text)
    assert len(codes) == 10, confirmed.text[:2000]
    return secret, codes


def stale_proofs(service: Service, email: str) -> None:
    """Make every session of the account as if it last proved who it is an
    hour ago (past SUDO_MINUTES)."""
    import psycopg

    with psycopg.connect(service.database_url) as connection:
        connection.execute(
            "UPDATE login_sessions SET proved_at = now() - interval '1 hour'"
            " FROM users WHERE users.id = login_sessions.user_id AND users.email = %s",
            (email,),
        )


def test_a_stolen_password_needs_the_code_and_codes_cannot_be_guessed(service):
    email = "totp-guessed@example.com"
    owner = sign_up(service, email)
    secret, _ = set_up_an_authenticator_app(owner)
    wait_until(
        lambda: any("authenticator app was set up" in line for line in service.mails_to(email)),
        30,
        "the notice of two-factor login turned on",
    )

    # The thief has the password: it opens nothing without the code.
    thief = Browser(service)
    answer = thief.log_in(email, PASSWORD)
    assert answer.status == 302 and answer.location_path == "/auth/second-step"
    assert_sent_to_log_in(thief.get("/notes/"))
    assert_sent_to_log_in(thief.get("/account/"))
    assert_sent_to_log_in(thief.get("/admin/"))
    assert thief.api("GET", "/api/v1/notes", "x").status == 401
    assert_json_error(thief.basic(email, PASSWORD), 403)

    # Guessing codes, even from a fresh address each time, runs out with the
    # account's five attempts a minute: the owner's login, the thief's two
    # uses of the password, then two guesses.
    token = thief.csrf_token("/auth/second-step")
    statuses = []
    for n in range(4):
        thief.address = fresh_address()
        guess = f"{(int(authenticator_code(secret)) + 1 + n) % 1_000_000:06d}"
        statuses.append(thief.post("/auth/second-step", {"code": guess, "csrf_token": token}))
    assert [answer.status for answer in statuses] == [200, 200, 429, 429]
    assert_refused_for_a_while(statuses[-1])
    assert_sent_to_log_in(thief.get("/notes/"))


def test_a_code_works_once(service):
    email = "totp-replayed@example.com"
    owner = sign_up(service, email)
    secret, _ = set_up_an_authenticator_app(owner)
    owner.post("/auth/logout", {"csrf_token": owner.csrf_token("/account/")})

    # Logging in with the next step's code, which the setup has not used.
    code = authenticator_code(secret, time.time() + 30)
    assert owner.log_in(email, PASSWORD).location_path == "/auth/second-step"
    done = owner.submit("/auth/second-step", {"code": code})
    assert done.status == 302 and done.location_path == "/notes/", done.text[:2000]
    assert owner.get("/notes/").status == 200

    # Someone who saw the code, and has the password, comes a second late.
    thief = Browser(service)
    assert thief.log_in(email, PASSWORD).location_path == "/auth/second-step"
    replayed = thief.submit("/auth/second-step", {"code": code})
    assert replayed.status == 200 and "used already" in replayed.text
    assert_sent_to_log_in(thief.get("/notes/"))


def test_a_recovery_code_works_once_and_its_use_is_told(service):
    # Each account may try five times a minute, right attempts included:
    # a test of its own, on an account of its own.
    email = "totp-recovered@example.com"
    owner = sign_up(service, email)
    _, recovery = set_up_an_authenticator_app(owner)
    other = Browser(service)
    assert other.log_in(email, PASSWORD).location_path == "/auth/second-step"
    assert other.submit("/auth/second-step", {"code": recovery[0]}).status == 302
    wait_until(
        lambda: any("recovery codes was used" in line for line in service.mails_to(email)),
        30,
        "the notice of a recovery code used",
    )
    assert recovery[0] not in "".join(service.mails_to(email))
    again = Browser(service)
    again.log_in(email, PASSWORD)
    assert again.submit("/auth/second-step", {"code": recovery[0]}).status == 200
    assert_sent_to_log_in(again.get("/notes/"))


def account_state(service: Service, email: str) -> tuple:
    """Everything a sensitive form could change of an account: its row, and
    how many second factors, recovery codes, passkeys and API tokens it has."""
    import psycopg

    query = (
        "SELECT email, password_hash, login_id, is_admin,"
        " (SELECT count(*) FROM totp_factors WHERE user_id = users.id),"
        " (SELECT count(*) FROM recovery_codes WHERE user_id = users.id),"
        " (SELECT count(*) FROM passkeys WHERE user_id = users.id),"
        " (SELECT count(*) FROM api_tokens WHERE user_id = users.id)"
        " FROM users WHERE email = %s"
    )
    with psycopg.connect(service.database_url) as connection:
        return connection.execute(query, (email,)).fetchone()


def add_a_passkey(service: Service, email: str) -> int:
    """A passkey row for the account, as if registered: its id."""
    import psycopg

    with psycopg.connect(service.database_url) as connection:
        return connection.execute(
            "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, name,"
            " transports, created_at) SELECT id, %s, %s, 0, 'Phone', 'internal', now()"
            " FROM users WHERE email = %s RETURNING id",
            (f"credential of {email}".encode(), b"public key", email),
        ).fetchone()[0]


def test_sensitive_forms_posted_without_a_fresh_proof_change_nothing(service):
    email = "sudo-bypass@example.com"
    browser = sign_up(service, email)
    set_up_an_authenticator_app(browser)
    passkey = add_a_passkey(service, email)
    stale_proofs(service, email)
    token = browser.csrf_token("/account/")
    before = account_state(service, email)
    for path, fields in (
        ("/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
        ("/account/email", {"email": "sudo-thief@example.com"}),
        ("/account/delete", {"email": email}),
        ("/account/tokens/new", {"name": "stolen", "days": "90"}),
        ("/account/two-factor/setup", {}),
        ("/account/two-factor/off", {}),
        ("/account/two-factor/recovery-codes", {}),
        ("/account/passkeys/options", {"name": "thief's key"}),
        ("/account/passkeys/verify", {}),
        (f"/account/passkeys/{passkey}/remove", {}),
    ):
        answer = browser.post(path, {"csrf_token": token, **fields})
        assert answer.status == 303, (path, answer.status, answer.text[:500])
        assert answer.location_path == "/account/confirm", (path, answer.headers["Location"])
    assert account_state(service, email) == before
    assert not service.mails_to("sudo-thief@example.com")

    # An admin's changes to any account need a fresh proof too. An admin of
    # this test's own: the first one's logins have their count elsewhere.
    admin_email = "sudo-admin@example.com"
    made = service.dyno.run_command(
        f"flask create-admin --email {admin_email} --password '{PASSWORD}'"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    admin = Browser(service)
    assert admin.log_in(admin_email, PASSWORD).status == 302
    stale_proofs(service, admin_email)
    users = "/admin/admin_users/"
    user_id = service.count("SELECT id FROM users WHERE email = %s", email)
    admin_token = admin.csrf_token(users)
    for path, fields in (
        (f"{users}new/", {"email": "planted@example.com", "password": NEW_PASSWORD}),
        (f"{users}edit/?id={user_id}", {"email": "sudo-thief@example.com", "password": ""}),
        (f"{users}delete/", {"id": str(user_id)}),
    ):
        answer = admin.post(path, {"csrf_token": admin_token, **fields})
        assert answer.status == 303, (path, answer.status, answer.text[:500])
        assert answer.location_path == "/account/confirm", (path, answer.headers["Location"])
    assert service.count("SELECT count(*) FROM users WHERE email = %s", "planted@example.com") == 0
    assert account_state(service, email) == before

    # The password proves it again, and the change goes through.
    assert browser.submit("/account/confirm", {"password": PASSWORD}).status == 302
    off = browser.post("/account/two-factor/off", {"csrf_token": token})
    assert off.status == 302, (off.status, off.text[:500])
    assert account_state(service, email)[4] == 0


def test_no_account_can_delete_another(service):
    email = "deleter@example.com"
    other = "deleted-not@example.com"
    browser = sign_up(service, email)
    sign_up(service, other, log_in=False)
    before = account_state(service, other)
    # The account page deletes the account logged in, whatever is typed.
    typed = browser.submit("/account/delete", {"email": other})
    assert typed.status == 200 and "not your account" in typed.text
    # The admin's delete is for admins only.
    other_id = service.count("SELECT id FROM users WHERE email = %s", other)
    token = browser.csrf_token("/account/")
    refused = browser.post("/admin/admin_users/delete/", {"id": str(other_id), "csrf_token": token})
    assert refused.status == 403, (refused.status, refused.text[:500])
    assert account_state(service, other) == before
    assert account_state(service, email) is not None


def test_no_attack_made_the_service_fail(service):
    # Last in the module: every answer above, and the web's log of them.
    assert not service.server_errors
    log = service.web_log()
    assert not re.search(r"\bstatus=5\d\d\b", log), log[-5000:]
    assert "Traceback" not in log, log[-5000:]
