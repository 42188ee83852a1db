"""The data both services are loaded against, made once per database through
the generated service's own ways in: its `flask create-user`, its API, its
login form. The floor reads the same rows, token and session cookie.
"""

import base64
import json
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from .dyno import PUBLIC_HOST, Dyno, request

PASSWORD = "a long and correct password"
READER = "reader@example.com"  # the reads: the notes page and the API list
WRITER = "writer@example.com"  # the writes, which leave the reader's list as it is
NOTES = 30  # the API and the notes page each show a page of 20 of them
NOTE_BODY = "A note made for the benchmark: a line or two of text, as people write. " * 2
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Seeded:
    reader_token: str
    writer_token: str
    session_cookie: str  # the reader logged in, as a Cookie header


def note_json(number: int) -> str:
    return json.dumps({"title": f"Note {number}", "body": NOTE_BODY})


def create_accounts(dyno: Dyno) -> None:
    result = dyno.run_command(
        " && ".join(
            f"flask create-user --email {email} --password '{PASSWORD}'"
            for email in (READER, WRITER)
        )
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask create-user failed:\n{result.stdout}{result.stderr}")


def seed(dyno: Dyno, headers: dict) -> Seeded:
    """Tokens for both accounts, NOTES notes for the reader, the reader's
    session: from the generated web dyno, which must be serving."""
    reader_token = api_token(dyno, headers, READER)
    for number in range(1, NOTES + 1):
        status, _, body = request(
            dyno,
            "/api/v1/notes",
            {
                **headers,
                "Authorization": f"Bearer {reader_token}",
                "Content-Type": "application/json",
            },
            "POST",
            note_json(number).encode(),
        )
        expect(status, 201, "POST /api/v1/notes", body)
    return Seeded(reader_token, api_token(dyno, headers, WRITER), log_in(dyno, headers, READER))


def api_token(dyno: Dyno, headers: dict, email: str) -> str:
    basic = base64.b64encode(f"{email}:{PASSWORD}".encode()).decode()
    status, _, body = request(
        dyno, "/api/v1/tokens", {**headers, "Authorization": f"Basic {basic}"}, "POST", b""
    )
    expect(status, 201, "POST /api/v1/tokens", body)
    return json.loads(body)["token"]


def log_in(dyno: Dyno, headers: dict, email: str) -> str:
    """The session cookie of a login through the form, as a browser gets it."""
    cookies = {}
    status, answer, page = request(dyno, "/auth/login", headers)
    expect(status, 200, "GET /auth/login", page)
    keep(cookies, answer)
    form = {
        "csrf_token": CSRF_TOKEN.search(page.decode()).group(1),
        "email": email,
        "password": PASSWORD,
    }
    status, answer, body = request(
        dyno,
        "/auth/login",
        {
            **headers,
            "Cookie": cookie_header(cookies),
            "Referer": f"https://{PUBLIC_HOST}/auth/login",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        "POST",
        urlencode(form).encode(),
    )
    expect(status, 302, "POST /auth/login", body)
    keep(cookies, answer)
    # The first page after the login takes its flashed message out of the session.
    status, answer, body = request(dyno, "/notes/", {**headers, "Cookie": cookie_header(cookies)})
    expect(status, 200, "GET /notes/ after logging in", body)
    keep(cookies, answer)
    return cookie_header(cookies)


def keep(cookies: dict, answer) -> None:
    for header in answer.get_all("Set-Cookie") or ():
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def expect(status: int, wanted: int, what: str, body: bytes) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: {status}, not {wanted}: {body[:500]!r}")
