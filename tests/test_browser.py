"""A real browser on the booted service: Debian's Chromium, driven by Playwright.

The service runs as on a dyno (release, then web on a free $PORT), in
production settings: its Secure session cookie works because browsers treat
http://localhost as a secure origin. A visitor
signs up, logs out, logs in, writes a note, finds it in the list and logs
out; a user who is not an admin is kept out of /admin/; an admin's pages
work under the Content-Security-Policy.

Screenshots go to the test's temporary directory; with UPDATE_SCREENSHOTS=1
they also replace docs/screenshots/ (shown in the README).
"""

import os
import secrets
import shlex
import shutil
from pathlib import Path

import pytest

from harness import (
    HEROKU_BOOT_LIMIT,
    TEMPLATE_DIR,
    Dyno,
    production,
    project_venv,
    record_figure,
    skip_or_fail,
    wait_for_http,
)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = TEMPLATE_DIR / "docs" / "screenshots"
PASSWORD = "correct horse battery"
ADMIN_PASSWORD = "admin horse battery staple"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def service(dyno_project, tmp_path_factory):
    """The default project, released and serving like a web dyno."""
    project = dyno_project("default")
    logs = tmp_path_factory.mktemp("browser-logs")
    # The browser speaks plain HTTP to loopback, where behind the router it
    # would speak https: the redirect to https is off here (the dyno drill and
    # the attack replay check it), or every page would point to a TLS port
    # that does not exist.
    dyno = Dyno(project, project_venv(project), logs, **production(logs, FORCE_HTTPS="false"))
    release = dyno.run("release")
    assert release.returncode == 0, release.stdout + release.stderr
    admin = dyno.run_command(
        f"flask create-admin --email root@example.com --password {shlex.quote(ADMIN_PASSWORD)}"
    )
    assert admin.returncode == 0, admin.stdout + admin.stderr
    web = dyno.start("web")
    try:
        wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        # localhost: a browser keeps Secure cookies for it over plain HTTP.
        dyno.url = dyno.url.replace("127.0.0.1", "localhost")
        yield dyno
    finally:
        Dyno.stop(web)


@pytest.fixture
def page(browser, service):
    """A fresh browser session; it notes console errors and failed requests."""
    context = browser.new_context(
        base_url=service.url,
        viewport={"width": 900, "height": 640},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.failed_requests = []

    def on_console(message):
        # A failed load is reported with its URL through on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.console_errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.failed_requests.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    context.close()


def screenshot(page, name, tmp_path):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)
    return path


def sign_up(page, email):
    page.goto("/auth/register")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("text=Create the account")
    page.wait_for_url("**/notes/")


def log_in(page, email, password=PASSWORD):
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/notes/")


def log_out(page):
    page.click("text=Log out")
    page.wait_for_url("**/")
    assert page.is_visible("nav >> text=Log in")


def add_note(page, title, body):
    page.click("text=New note")
    page.fill("#title", title)
    page.fill("#body", body)
    page.click("text=Save")
    page.wait_for_selector(f"h1:has-text('{title}')")


def test_sign_up_log_in_write_a_note_and_log_out(page, tmp_path):
    email = "ada@example.com"
    sign_up(page, email)
    assert page.is_visible(f"nav >> text={email}")
    log_out(page)

    log_in(page, email)
    assert page.is_visible("text=No notes yet.")
    add_note(page, "Groceries", "eggs, milk, bread")
    page.goto("/notes/")
    add_note(page, "Ideas for the weekend", "a walk by the river")
    page.goto("/notes/")
    titles = page.locator("ul.notes li a").all_inner_texts()
    assert titles == ["Ideas for the weekend", "Groceries"]
    # The stylesheet came through WhiteNoise under its fingerprinted name.
    stylesheet = page.get_attribute("link[rel=stylesheet]", "href")
    assert page.request.get(stylesheet).headers["cache-control"].endswith("immutable")
    record_figure(f"browser: notes page screenshot {screenshot(page, 'notes.png', tmp_path)}")

    log_out(page)
    page.goto("/notes/")
    assert "/auth/login" in page.url
    assert page.console_errors == []
    assert page.failed_requests == []


def test_a_user_who_is_not_an_admin_is_kept_out_of_the_admin(page):
    response = page.goto("/admin/")
    assert "/auth/login" in page.url  # a visitor is sent to log in
    sign_up(page, f"bob-{secrets.token_hex(3)}@example.com")
    response = page.goto("/admin/")
    assert response.status == 403
    assert page.is_visible("h1:has-text('403 Forbidden')")


def test_the_admin_works_under_the_content_security_policy(page):
    log_in(page, "root@example.com", ADMIN_PASSWORD)
    page.click("nav >> text=Admin")
    page.wait_for_url("**/admin/")
    page.goto("/admin/admin_users/")
    page.wait_for_selector("table.model-list")
    assert page.is_visible("td:has-text('root@example.com')")
    # Flask-Admin's own scripts ran: they are files, allowed by script-src 'self'.
    assert page.evaluate("typeof window.jQuery") == "function"
    # The row delete button asks first (admin-confirm.js): dismiss, nothing goes.
    page.on("dialog", lambda dialog: dialog.dismiss())
    page.click("form[action*='/delete/'] button")
    assert page.is_visible("td:has-text('root@example.com')")
    # Inline onclick handlers are blocked (and reported); nothing else is.
    blocked = [text for text in page.console_errors if "inline event handler" not in text]
    assert blocked == []
    assert page.failed_requests == []


def test_the_api_docs_page_works_without_scripts_or_a_cdn(page, tmp_path):
    response = page.goto("/api/docs")
    assert response.status == 200
    # The document's operations, rendered on the server from /api/openapi.json.
    assert page.get_by_text("/api/v1/tokens").first.is_visible()
    assert page.get_by_text("/api/v1/notes").first.is_visible()
    assert page.evaluate("document.scripts.length") == 0
    assert page.console_errors == []
    assert page.failed_requests == []
    record_figure(f"browser: API docs screenshot {screenshot(page, 'api-docs.png', tmp_path)}")
