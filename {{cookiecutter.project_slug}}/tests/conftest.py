{%- from "parts.jinja" import parts with context -%}
"""What every test folder shares: a real app on an in-memory database,
migrated once (on the database at TEST_DATABASE_URL instead when that is
set: CI sets it to a Postgres service), its clients, accounts
{%- if parts.web_ui %}, logging in{% endif %}{% if parts.api %}, API tokens{% endif %}.

Each test runs in an app context of its own, and every table is emptied
after it, so that what one test commits is not seen by the next. A folder's
own conftest.py holds the fixtures only it uses.
"""

import contextlib
import logging
import os
{%- if parts.web_ui %}
import re
{%- endif %}

import pytest
from flask import g, request_started
{%- if parts.limits %}
from limits.storage import MemoryStorage
{%- endif %}
from sqlalchemy import event, text

from {{ cookiecutter.package_name }} import create_app
{%- if parts.limits %}
from {{ cookiecutter.package_name }}.accounts.limits import limiter
{%- endif %}
from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.migrations import upgrade

PASSWORD = "correct horse battery"


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject.toml): a process per core, but one alone on a
    real database or Redis, which each process would empty under the others."""
    if os.environ.get("TEST_DATABASE_URL") or os.environ.get("TEST_REDIS_URL"):
        return 0
    return None


@pytest.fixture(scope="session")
def test_environ(tmp_path_factory):
    """Settings for test apps; local state goes to a temporary folder."""
    instance = tmp_path_factory.mktemp("instance")
    environ = {"APP_ENV": "test", "LOG_LEVEL": "INFO", "INSTANCE_PATH": str(instance)}
    if os.environ.get("TEST_DATABASE_URL"):
        environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    return environ


@pytest.fixture(scope="session")
def app(test_environ):
    app = create_test_app(test_environ)
    with app.app_context():
        if not app.config["DATABASE"].is_sqlite:
            drop_every_table()  # what an earlier run left
        upgrade()
    yield app
    close_connections(app)


@pytest.fixture
def db_session(app):
    """The app's database session, in an app context for the whole test;
    every table is emptied afterwards."""
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.rollback()
            empty_every_table()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def make_app(test_environ):
    """Build extra apps with their own settings, closed after the test."""
    apps = []

    def make(**environ):
        app = create_test_app({**test_environ, **environ})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_connections(app)


@pytest.fixture
def app_of_its_own(make_app, password):
    """Build an app on an in-memory database of its own, migrated, with one
    account (ada@example.com) committed: for tests whose requests commit or
    count apart from the shared app's."""

    def make(**environ):
        app = make_app(DATABASE_URL="sqlite://", **environ)
        with app.app_context():
            upgrade()
            db.session.add(User(email="ada@example.com", password=password, verified=True))
            db.session.commit()
        return app

    return make


@pytest.fixture
def password():
    """The password make_user gives."""
    return PASSWORD


@pytest.fixture
def sql_statements(db_session):
    """`with sql_statements() as statements:` lists the SQL the app's
    database is sent meanwhile, to check what a page reads."""

    @contextlib.contextmanager
    def record():
        statements = []

        def note(connection, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", note)

    return record


@pytest.fixture
def make_user(db_session):
    """Make an account, its address confirmed unless `verified=False`."""

    def make(email="ada@example.com", password=PASSWORD, verified=True, **fields):
        user = User(email=email, password=password, verified=verified, **fields)
        db_session.add(user)
        db_session.commit()
        return user

    return make


@pytest.fixture
def user(make_user):
    """ada@example.com, with the password fixture's password."""
    return make_user()
{%- if parts.web_ui %}


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def csrf(client):
    """The CSRF token of the form at a URL, as a browser would send it back."""

    def token(url):
        page = client.get(url).get_data(as_text=True)
        return CSRF_TOKEN.search(page).group(1)

    return token


@pytest.fixture
def log_in(client, csrf, password):
    """Log the test client in through the login form."""

    def log_in(email="ada@example.com", password=password):
        data = {"email": email, "password": password, "csrf_token": csrf("/auth/login")}
        return client.post("/auth/login", data=data)

    return log_in


@pytest.fixture
def admin(make_user, log_in):
    """root@example.com, an admin, logged in."""
    user = make_user("root@example.com", is_admin=True)
    log_in("root@example.com")
    return user
{%- endif %}
{%- if parts.api %}


@pytest.fixture
def token(client, user, password):
    """An API token for `user`, from the API's own endpoint."""
    response = client.post("/api/v1/tokens", auth=(user.email, password))
    assert response.status_code == 201, response.json
    return response.json["token"]


@pytest.fixture
def bearer(token):
    """The headers that present `token`."""
    return {"Authorization": f"Bearer {token}"}
{%- endif %}


@pytest.fixture(autouse=True)
def each_test_starts_afresh(app{% if parts.limits %}, make_app{% endif %}):
    """What lives outside the database is set back before each test.

    Logs go out at the test app's level: every app sets the root logger's
    level from its LOG_LEVEL, for the whole process (one app on a dyno), so
    after a test that made an app at DEBUG the rest would log at DEBUG too.
{%- if parts.limits %}

    Attempts are counted afresh, in memory. The limiter is one object for
    every app, set up by the last one made: after a test that made an app on
    Redis, one is made on the test settings again.
{%- endif %}
{%- if parts.worker %}

    Tasks queued run at once in the test app (the test profile says so).
    Celery queues through its current app, and every app a test makes
    becomes current: the test app is made current again.
{%- endif %}
    """
    logging.getLogger().setLevel(app.config["LOG_LEVEL"])
{%- if parts.limits %}
    if not isinstance(limiter.storage, MemoryStorage):
        make_app()
    limiter.reset()
{%- endif %}
{%- if parts.worker %}
    app.extensions["celery"].set_current()
{%- endif %}
{%- if parts.limits %}
    yield
    # Once its storage failed, the limiter counts in an in-memory fallback of
    # its own until, seconds later, a request finds the storage again, and
    # counts restart then: a test that makes Redis fail under a limit runs in
    # a process of its own (tests/accounts/test_outages.py).
    assert limiter.limiter.storage is limiter.storage, "the test left the limiter on its fallback"
{%- endif %}


def create_test_app(environ):
    app = create_app(environ)
    request_started.connect(start_with_a_fresh_g, app)
    return app


def start_with_a_fresh_g(sender, **extra):
    """`g` lives as long as the app context: in these tests (see db_session)
    longer than one request, so what extensions keep in it (the logged-in
    user, the CSRF token) would pass from one request to the next. A server
    starts each request with an empty `g`; so do the tests."""
    for name in list(g):
        g.pop(name)


def close_connections(app):
    with app.app_context():
        db.engine.dispose()


def empty_every_table():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def drop_every_table():
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
