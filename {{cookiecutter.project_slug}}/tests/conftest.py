"""Fixtures: a real app on an in-memory database, migrated once; on the
database at TEST_DATABASE_URL instead when that is set (CI sets it to a
Postgres service), emptied first.

Each test runs inside a transaction that is rolled back afterwards, so rows a
test commits (through the app, the CLI or the test client) do not leak into
the next one.

Each feature's tests are in a folder of their own, with the fixtures only
they use in its conftest.py.
"""

import os

import pytest
from flask import g
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.extensions import db
from {{ cookiecutter.package_name }}.migrations import upgrade
from {{ cookiecutter.package_name }}.models import User

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
        if app.config["DATABASE"].is_sqlite:
            allow_savepoints_on_sqlite(db.engine)
        else:
            drop_every_table()  # what an earlier run left
        upgrade()
    yield app
    close_connections(app)


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
    count apart from the shared, rolled-back transaction."""

    def make(**environ):
        app = make_app(DATABASE_URL="sqlite://", **environ)
        with app.app_context():
            upgrade()
            db.session.add(User(email="ada@example.com", password=password))
            db.session.commit()
        return app

    return make


@pytest.fixture
def db_session(app):
    """Bind db.session to one connection whose transaction is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        app_session = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = app_session
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


@pytest.fixture
def password():
    """The password make_user gives."""
    return PASSWORD


@pytest.fixture
def make_user(db_session):
    def make(email="ada@example.com", password=PASSWORD, **fields):
        user = User(email=email, password=password, **fields)
        db_session.add(user)
        db_session.commit()
        return user

    return make


def create_test_app(environ):
    app = create_app(environ)
    # First of all the app's hooks (see start_with_a_fresh_g).
    app.before_request_funcs.setdefault(None, []).insert(0, start_with_a_fresh_g)
    return app


def start_with_a_fresh_g():
    """`g` lives as long as the app context: in these tests (see db_session)
    longer than one request, so what extensions keep in it (the logged-in
    user, the CSRF token) would pass from one test client to another. A
    server starts each request with an empty `g`; so do the tests."""
    g.__dict__.clear()


def close_connections(app):
    with app.app_context():
        db.engine.dispose()


def drop_every_table():
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def allow_savepoints_on_sqlite(engine):
    """SQLAlchemy's recipe: let SQLAlchemy, not sqlite3, begin transactions."""

    @event.listens_for(engine, "connect")
    def disable_driver_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin_transaction(connection):
        connection.exec_driver_sql("BEGIN")
