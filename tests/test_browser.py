"""A real browser on the booted service: Debian's Chromium, driven by Playwright.

The service runs as on a dyno (release, then web on a free $PORT, and the
worker that sends its mail), in production settings but for the
development mailbox, which it is asked to keep: its Secure session cookie
works because browsers treat http://localhost as a secure origin. A
visitor signs up, confirms the address through the mailbox, logs in,
writes a note, finds it in the list, sees where the account is logged in,
ends another browser's session and logs out; a visitor sets up two-factor
login with the key the page shows and logs in with a code; a visitor registers a passkey
on the account page and logs in with it, through Chromium's virtual
authenticator (the DevTools protocol's WebAuthn domain); a visitor uses a
resource that `flask scaffold` wrote through its pages; a visitor who forgot the
password resets it through the mailbox; a user who is not an admin
is kept out of /admin/; an admin's pages work under the
Content-Security-Policy.

Every page the browser shows is checked with axe-core (WCAG 2.1 A and AA,
and axe's best practices): any violation fails the test. axe-core comes
from npm, installed once into .cache/ (npm must be on the PATH; .ci/run
installs it).

Screenshots go to the test's temporary directory; with UPDATE_SCREENSHOTS=1
they also replace docs/screenshots/ (shown in the README).
"""

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from harness import (
    HEROKU_BOOT_LIMIT,
    TEMPLATE_DIR,
    Dyno,
    authenticator_code,
    production,
    project_venv,
    record_figure,
    skip_or_fail,
    wait_for_http,
)
from test_scaffold import scaffold_both

# One worker runs them all: the service they share starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = TEMPLATE_DIR / "docs" / "screenshots"
PASSWORD = "correct horse battery"
ADMIN_PASSWORD = "admin horse battery staple"
# axe-core, from npm, pinned; what it checks every page against.
AXE_CORE = "axe-core@4.14.1"
AXE_DIR = TEMPLATE_DIR / ".cache" / AXE_CORE.replace("@", "-")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MAILBOX_WAIT = 30_000  # ms for the worker to send a mail


@pytest.fixture(scope="session")
def axe_script():
    """axe-core's script, installed from npm into .cache/ the first time."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail("no npm to install axe-core: apt-get install npm (.ci/run does)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit", "--no-fund",
             "--prefer-offline", AXE_CORE],
            check=True, capture_output=True, timeout=300,
        )
    return script.read_text()


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
    """The default project, released and serving like a web dyno, with the
    worker that sends its mail into the mailbox."""
    # With two resources `flask scaffold` wrote, to use through their pages.
    project = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(dyno_project("default"), project)
    scaffold_both(project, project_venv(project))
    logs = tmp_path_factory.mktemp("browser-logs")
    # The browser speaks plain HTTP to loopback, where behind the router it
    # would speak https: the redirect to https is off here (the dyno drill and
    # the attack replay check it), or every page would point to a TLS port
    # that does not exist. The mailbox shows the mails the worker sends. Every
    # visitor comes from loopback: the per-address limits (which the attack
    # replay tests) would refuse the module's logins within a minute.
    environ = production(
        logs,
        FORCE_HTTPS="false",
        DEV_MAILBOX="true",
        LOGIN_RATE_LIMIT="100 per minute",
    )
    dyno = Dyno(project, project_venv(project), logs, **environ)
    # Mail links to where the browser reaches the service.
    dyno.env.update(PUBLIC_URL=f"http://localhost:{dyno.port}", ALLOWED_HOSTS="127.0.0.1")
    release = dyno.run("release")
    assert release.returncode == 0, release.stdout + release.stderr
    admin = dyno.run_command(
        f"flask create-admin --email root@example.com --password {shlex.quote(ADMIN_PASSWORD)}"
    )
    assert admin.returncode == 0, admin.stdout + admin.stderr
    worker = dyno.start("worker")
    web = dyno.start("web")
    try:
        wait_for_http(f"{dyno.url}/healthz", web, HEROKU_BOOT_LIMIT)
        # localhost: a browser keeps Secure cookies for it over plain HTTP.
        dyno.url = dyno.url.replace("127.0.0.1", "localhost")
        yield dyno
    finally:
        Dyno.stop(web)
        Dyno.stop(worker)


def new_page(browser, service, axe_script):
    """A fresh browser session; it notes console errors and failed
    requests, and which pages it showed (each must be checked by axe)."""
    context = browser.new_context(
        base_url=service.url,
        viewport={"width": 900, "height": 640},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.failed_requests = []
    page.shown = []
    page.checked = []
    page.axe_script = axe_script

    def on_console(message):
        # A failed load is reported with its URL through on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.console_errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.failed_requests.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("load", lambda loaded: page.shown.append(path_of(loaded.url)))
    return page


@pytest.fixture
def page(browser, service, axe_script):
    page = new_page(browser, service, axe_script)
    yield page
    page.context.close()
    unchecked = sorted(set(page.shown) - set(page.checked))
    assert not unchecked, f"pages shown but not checked for accessibility: {unchecked}"


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("#")[0]


def check_accessibility(page) -> None:
    """Run axe-core on the page shown; fail on any violation, naming each
    rule, its help and the elements that break it."""
    page.wait_for_load_state("load")
    if page.evaluate("typeof window.axe") == "undefined":
        # Evaluated through the browser's DevTools protocol: the page's
        # Content-Security-Policy (no inline scripts) stays as it is.
        page.evaluate(page.axe_script)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "elements": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
    ]
    assert not violations, f"{page.url}: {json.dumps(violations, indent=1)}"
    page.checked.append(path_of(page.url))


def visit(page, path):
    """Go to `path` and check the page shown; its response."""
    response = page.goto(path)
    check_accessibility(page)
    return response


def screenshot(page, name, tmp_path):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)
    return path


def sign_up(page, email):
    """Sign up, confirm the address through the mailbox, and log in."""
    visit(page, "/auth/register")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("text=Create the account")
    page.wait_for_url("**/auth/login")
    assert page.is_visible(f"text=We sent a message to {email}")
    check_accessibility(page)
    confirm_through_the_mailbox(page, email)
    log_in(page, email)


def open_mail(page, email, subject):
    """Open the newest mail to `email` whose subject starts `subject` in the
    development mailbox, waiting for the worker to send it."""
    page.goto("/dev/mail/")
    mail = page.locator("tr", has_text=email).get_by_role("link", name=subject)
    waited = 0
    while not mail.count() and waited < MAILBOX_WAIT:
        page.wait_for_timeout(250)
        waited += 250
        page.goto("/dev/mail/")
    assert mail.count(), f"no mail {subject!r} to {email} after {MAILBOX_WAIT} ms"
    check_accessibility(page)
    mail.first.click()
    page.wait_for_url("**/dev/mail/*")
    check_accessibility(page)


def confirm_through_the_mailbox(page, email):
    open_mail(page, email, "Confirm your")
    page.click("a[href*='/auth/verify/']")
    page.wait_for_url("**/auth/login")
    assert page.is_visible("text=Your email address is confirmed.")
    check_accessibility(page)


def log_in(page, email, password=PASSWORD):
    visit(page, "/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/notes/")
    check_accessibility(page)


def log_out(page):
    page.click("text=Log out")
    page.wait_for_url("**/")
    assert page.is_visible("nav >> text=Log in")
    check_accessibility(page)


def add_note(page, title, body):
    page.click("text=New note")
    page.wait_for_url("**/notes/new")
    check_accessibility(page)
    page.fill("#title", title)
    page.fill("#body", body)
    page.click("text=Save")
    page.wait_for_selector(f"h1:has-text('{title}')")
    check_accessibility(page)


def test_sign_up_log_in_write_a_note_and_log_out(page, tmp_path):
    visit(page, "/")
    email = "ada@example.com"
    sign_up(page, email)
    assert page.is_visible(f"nav >> text={email}")
    log_out(page)

    log_in(page, email)
    assert page.is_visible("text=No notes yet.")
    add_note(page, "Groceries", "eggs, milk, bread")
    visit(page, "/notes/")
    add_note(page, "Ideas for the weekend", "a walk by the river")
    visit(page, "/notes/")
    titles = page.locator("ul.records li a").all_inner_texts()
    assert titles == ["Ideas for the weekend", "Groceries"]
    # The stylesheet came through WhiteNoise under its fingerprinted name.
    stylesheet = page.get_attribute("link[rel=stylesheet]", "href")
    assert page.request.get(stylesheet).headers["cache-control"].endswith("immutable")
    record_figure(f"browser: notes page screenshot {screenshot(page, 'notes.png', tmp_path)}")

    log_out(page)
    visit(page, "/notes/")
    assert "/auth/login" in page.url
    assert page.console_errors == []
    assert page.failed_requests == []


def test_a_scaffolded_resource_is_used_through_its_pages(page, tmp_path):
    sign_up(page, "grace@example.com")
    # A booking needs a harbor of the account's own: the form says so.
    page.click("nav >> text=Bookings")
    page.wait_for_url("**/bookings/")
    check_accessibility(page)
    assert page.is_visible("text=No bookings yet.")
    page.click("text=New booking")
    page.wait_for_url("**/bookings/new")
    check_accessibility(page)
    page.click("text=create one")
    page.wait_for_url("**/harbors/new")
    check_accessibility(page)
    page.fill("#name", "North quay")
    page.fill("#depth", "4.5")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('North quay')")
    check_accessibility(page)

    visit(page, "/bookings/new")
    page.fill("#title", "Sunset cruise")
    page.fill("#starts_at", "2026-12-24T18:00")
    page.fill("#seats", "6")
    page.fill("#price", "45.00")
    page.check("#paid")
    page.select_option("#harbor_id", label="North quay")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Sunset cruise')")
    check_accessibility(page)
    def shown():
        terms = page.locator("dl.record dt").all_inner_texts()
        return dict(zip(terms, page.locator("dl.record dd").all_inner_texts(), strict=True))

    expected = {"Starts at": "2026-12-24 18:00", "Seats": "6", "Price": "45.00", "Paid": "yes"}
    assert shown() | expected == shown() and shown()["Harbor"] == "North quay", shown()
    page.click("text=Edit")
    page.wait_for_url("**/edit")
    check_accessibility(page)
    page.fill("#seats", "8")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Booking saved.")
    check_accessibility(page)
    assert shown()["Seats"] == "8"
    visit(page, "/bookings/")
    assert page.locator("ul.records li a").all_inner_texts() == ["Sunset cruise"]
    record_figure(f"browser: scaffolded bookings page {screenshot(page, 'bookings.png', tmp_path)}")
    assert page.console_errors == []
    assert page.failed_requests == []


def test_the_account_page_lists_the_sessions_and_ends_one(browser, service, axe_script, page):
    email = f"sessions-{secrets.token_hex(3)}@example.com"
    sign_up(page, email)
    phone = new_page(browser, service, axe_script)
    try:
        log_in(phone, email)
        page.click(f"nav >> text={email}")
        page.wait_for_url("**/account/")
        check_accessibility(page)
        rows = page.locator("table.sessions tbody tr")
        assert rows.count() == 2
        assert rows.filter(has_text="(this browser)").count() == 1
        other = rows.filter(has_not_text="(this browser)")
        other.get_by_role("button", name="End").click()
        page.wait_for_url("**/account/")
        assert page.is_visible("text=is ended")
        check_accessibility(page)
        assert page.locator("table.sessions tbody tr").count() == 1
        # The other browser is logged out.
        visit(phone, "/notes/")
        assert "/auth/login" in phone.url
        assert phone.failed_requests == page.failed_requests == []
        assert phone.console_errors == page.console_errors == []
        assert not set(phone.shown) - set(phone.checked)
    finally:
        phone.context.close()


def test_a_passkey_is_registered_then_logs_in_without_the_password(page):
    # A device with a fingerprint reader, as WebAuthn sees one: it keeps
    # discoverable credentials and verifies its user, without being asked.
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    device = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    email = f"passkey-{secrets.token_hex(3)}@example.com"
    sign_up(page, email)
    page.click(f"nav >> text={email}")
    page.wait_for_url("**/account/")
    check_accessibility(page)
    assert page.is_visible("text=No passkeys yet.")
    page.fill("#passkey-name", "This browser")
    page.click("text=Add a passkey")
    page.wait_for_selector('text=The passkey "This browser" is added.')
    check_accessibility(page)
    assert page.locator("table.passkeys tbody tr").all_inner_texts()[0].startswith("This browser")
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": device})["credentials"]
    assert [credential["isResidentCredential"] for credential in held] == [True]
    log_out(page)

    visit(page, "/auth/login")
    page.click("text=Log in with a passkey")
    page.wait_for_url("**/notes/")
    check_accessibility(page)
    assert page.is_visible(f"nav >> text={email}")
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": device})["credentials"]
    assert held[0]["signCount"] >= 1  # the device signed for the login
    assert page.console_errors == []
    assert page.failed_requests == []


def test_two_factor_login_is_set_up_with_the_shown_key_then_asks_for_a_code(page, tmp_path):
    email = f"two-factor-{secrets.token_hex(3)}@example.com"
    sign_up(page, email)
    page.click(f"nav >> text={email}")
    page.wait_for_url("**/account/")
    check_accessibility(page)
    page.click("text=Set up an authenticator app")
    page.wait_for_url("**/account/two-factor/confirm")
    check_accessibility(page)
    # The QR code is an image the service drew, loaded under the policy.
    qr_code = page.locator("figure.qr-code img")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.inner_text("#totp-secret")
    screenshot(page, "two-factor-setup.png", tmp_path)

    # An authenticator app computes the code from the key shown.
    page.fill("#code", authenticator_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Your recovery codes')")
    check_accessibility(page)
    assert page.locator("ul.recovery-codes code").count() == 10
    log_out(page)

    visit(page, "/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/auth/second-step")
    check_accessibility(page)
    page.fill("#code", authenticator_code(secret, time.time() + 30))  # the next step's
    page.click("main button[type=submit]")
    page.wait_for_url("**/notes/")
    check_accessibility(page)
    assert page.is_visible(f"nav >> text={email}")
    assert page.console_errors == []
    assert page.failed_requests == []


def test_a_forgotten_password_is_reset_through_the_mailbox(page):
    email = f"forgetful-{secrets.token_hex(3)}@example.com"
    new_password = "a new and better one"
    sign_up(page, email)
    log_out(page)
    visit(page, "/auth/login")
    page.click("text=Reset it")
    page.wait_for_url("**/auth/reset")
    check_accessibility(page)
    page.fill("#email", email)
    page.click("text=Send the link")
    page.wait_for_url("**/auth/login")
    assert page.is_visible("text=a reset link is on its way")
    check_accessibility(page)

    open_mail(page, email, "Reset your")
    link = page.get_attribute("a[href*='/auth/reset/']", "href")
    page.click("a[href*='/auth/reset/']")
    # The token leaves the address bar at once.
    page.wait_for_url("**/auth/new-password")
    check_accessibility(page)
    page.fill("#password", new_password)
    page.fill("#confirm", new_password)
    page.click("text=Change the password")
    page.wait_for_url("**/auth/login")
    assert page.is_visible("text=Your password is changed.")
    check_accessibility(page)
    log_in(page, email, new_password)

    # The link worked once.
    page.goto(link)
    page.wait_for_url("**/auth/reset")
    assert page.is_visible("text=has expired or was used already")
    check_accessibility(page)
    assert page.console_errors == []
    assert page.failed_requests == []


def test_a_user_who_is_not_an_admin_is_kept_out_of_the_admin(page):
    response = visit(page, "/admin/")
    assert "/auth/login" in page.url  # a visitor is sent to log in
    sign_up(page, f"bob-{secrets.token_hex(3)}@example.com")
    response = visit(page, "/admin/")
    assert response.status == 403
    assert page.is_visible("h1:has-text('403 Forbidden')")


def test_the_admin_works_under_the_content_security_policy(page):
    log_in(page, "root@example.com", ADMIN_PASSWORD)
    page.click("nav >> text=Admin")
    page.wait_for_url("**/admin/")
    check_accessibility(page)
    visit(page, "/admin/admin_users/")
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
    response = visit(page, "/api/docs")
    assert response.status == 200
    # The document's operations, rendered on the server from /api/openapi.json.
    assert page.get_by_text("/api/v1/tokens").first.is_visible()
    assert page.get_by_text("/api/v1/notes").first.is_visible()
    assert page.evaluate("document.scripts.length") == 0
    assert page.console_errors == []
    assert page.failed_requests == []
    record_figure(f"browser: API docs screenshot {screenshot(page, 'api-docs.png', tmp_path)}")
