"""Fixtures: a real app on an in-memory database, migrated once.

Each test runs inside a transaction that is rolled back afterwards, so rows a
test commits (through the app, the CLI or the test client) do not leak into
the next one.
"""

import pytest
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.extensions import db
{%- if cookiecutter.use_api %}
from {{ cookiecutter.package_name }}.models import User
{%- endif %}

TEST_ENVIRON = {"APP_ENV": "test", "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="session")
def app():
    app = create_app(TEST_ENVIRON)
    with app.app_context():
        allow_savepoints_on_sqlite(db.engine)
        upgrade()
    yield app
    close_connections(app)


@pytest.fixture
def make_app():
    """Build extra apps with their own settings, closed after the test."""
    apps = []

    def make(**environ):
        app = create_app({**TEST_ENVIRON, **environ})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_connections(app)


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


{% if cookiecutter.use_api -%}
@pytest.fixture
def user(db_session):
    user = User(email="ada@example.com", password="correct horse battery")
    db_session.add(user)
    db_session.commit()
    return user


@pytest.fixture
def token(client, user):
    response = client.post("/api/v1/tokens", auth=("ada@example.com", "correct horse battery"))
    assert response.status_code == 201, response.json
    return response.json["token"]


@pytest.fixture
def bearer(token):
    return {"Authorization": f"Bearer {token}"}


{% endif -%}
def close_connections(app):
    with app.app_context():
        db.engine.dispose()


def allow_savepoints_on_sqlite(engine):
    """SQLAlchemy's recipe: let SQLAlchemy, not sqlite3, begin transactions."""

    @event.listens_for(engine, "connect")
    def disable_driver_transactions(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin_transaction(connection):
        connection.exec_driver_sql("BEGIN")
