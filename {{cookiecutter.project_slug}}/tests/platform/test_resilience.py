"""A database or Redis that is down, slow or frozen: bounded waits, 503s
with Retry-After, one log line per failure, nothing dropped silently."""

import logging
import os
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }}.platform import health, postgres
from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.extending import add_health_check
from {{ cookiecutter.package_name }}.platform.postgres import (
    AnswerTimeoutConnection,
    DatabaseDidNotAnswer,
)
from {{ cookiecutter.package_name }}.platform.settings import load_settings

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
POSTGRES = "postgres://u:p@db.example.com/d"


@pytest.fixture(autouse=True)
def answering_database():
    """A test that makes the database time out leaves the next ones a database
    that is not failing fast."""
    yield
    postgres.breaker.reset()


def settings(**environ):
    return load_settings({"APP_ENV": "test", **environ}, "instance")


def postgres_url():
    """The suite runs once on SQLite and once on Postgres (TEST_DATABASE_URL):
    these tests belong to the second run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: no Postgres to time out against")
    return url.replace("postgres://", "postgresql://", 1)


def test_postgres_waits_have_defaults_under_the_routers_30_s():
    config = settings(DATABASE_URL=POSTGRES)
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_timeout"] == 5
    assert options["connect_args"] == {
        "connect_timeout": 3,
        "options": "-c statement_timeout=3000",
    }
    assert config["DATABASE_ANSWER_TIMEOUT"] == 4


def test_postgres_waits_are_settings():
    config = settings(
        DATABASE_URL=POSTGRES,
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_STATEMENT_TIMEOUT="8",
        DATABASE_POOL_TIMEOUT="1",
    )
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_timeout"] == 1
    assert options["connect_args"]["connect_timeout"] == 2
    assert options["connect_args"]["options"] == "-c statement_timeout=8000"
    assert config["DATABASE_ANSWER_TIMEOUT"] == 9


def test_a_zero_statement_timeout_lifts_both_limits_for_migrations():
    config = settings(DATABASE_URL=POSTGRES, DATABASE_STATEMENT_TIMEOUT="0")
    assert "options" not in config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert config["DATABASE_ANSWER_TIMEOUT"] is None
    assert settings()["DATABASE_ANSWER_TIMEOUT"] is None  # SQLite needs no network


@pytest.fixture
def outage_app(make_app):
    """An app whose route needs the database; production's error answers."""
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/needs-database")
    def needs_database():
        cause = psycopg.OperationalError("connection refused\nIs the server running?")
        raise OperationalError("SELECT 1", {}, cause)

    return app


@pytest.mark.parametrize("headers", [HTML, JSON])
def test_a_database_outage_answers_503_with_retry_after(outage_app, headers):
    response = outage_app.test_client().get("/needs-database", headers=headers)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    if headers is JSON:
        assert response.json["code"] == 503
        assert response.json["request_id"] == response.headers["X-Request-ID"]
    else:
        assert b"503 Service Unavailable" in response.data


def test_a_database_outage_is_one_log_line_without_traceback(outage_app, caplog):
    caplog.set_level(logging.INFO)
    outage_app.test_client().get("/needs-database", headers=JSON)
    outage_lines = [r for r in caplog.records if r.getMessage() == "database unavailable"]
    assert len(outage_lines) == 1
    assert outage_lines[0].fields == {
        "error": "OperationalError",
        "detail": "connection refused",
    }
    assert not any(record.exc_info for record in caplog.records)


def test_a_database_that_cannot_be_opened_answers_503(make_app, tmp_path):
    # A directory is no SQLite file: every connection attempt fails.
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/needs-database")
    def needs_database():
        db.session.execute(text("SELECT 1"))
        return "unreachable"

    response = app.test_client().get("/needs-database", headers=JSON)
    assert response.status_code == 503
    assert response.headers["Retry-After"]


def test_a_missing_table_is_a_bug_not_an_outage(make_app, caplog):
    # SQLite says OperationalError for both; only the outage is a 503.
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/buggy")
    def buggy():
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    response = app.test_client().get("/buggy", headers=JSON)
    assert response.status_code == 500
    assert any(record.exc_info for record in caplog.records)  # its traceback is logged


def test_a_hung_health_check_makes_healthz_degraded_in_time(make_app, monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.3)
    app = make_app()
    add_health_check(app, "frozen", lambda: time.sleep(2))
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json["checks"]["frozen"] == {"status": "error", "error": "Timeout"}
    assert response.json["checks"]["database"] == {"status": "ok"}


def test_the_client_stops_waiting_for_a_server_that_does_not_answer():
    connection = AnswerTimeoutConnection.connect(postgres_url(), autocommit=True)
    connection.answer_timeout = 1
    started = time.monotonic()
    with pytest.raises(DatabaseDidNotAnswer):
        connection.execute("SELECT pg_sleep(5)")  # no statement timeout here
    assert time.monotonic() - started < 3
    assert connection.closed  # the pool throws it away


def test_a_slow_statement_is_cancelled_and_answers_503(make_app):
    app = make_app(DATABASE_URL=postgres_url(), DATABASE_STATEMENT_TIMEOUT="1")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/slow-query")
    def slow_query():
        db.session.execute(text("SELECT pg_sleep(5)"))
        return "too late"

    started = time.monotonic()
    response = app.test_client().get("/slow-query", headers=JSON)
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    with app.app_context():  # the connection is still good for the next request
        assert db.session.scalar(text("SELECT 1")) == 1


def test_a_connection_lost_after_the_last_query_does_not_fail_the_request(make_app):
    url = postgres_url()
    app = make_app(DATABASE_URL=url)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/answered")
    def answered():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        # A failover or restart ends the session before the request does.
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        time.sleep(0.2)
        return "answered"

    response = app.test_client().get("/answered")
    assert (response.status_code, response.data) == (200, b"answered")
    with app.app_context():  # the lost connection was thrown away
        assert db.session.scalar(text("SELECT 1")) == 1


def test_after_a_timeout_the_process_fails_fast_then_tries_again(monkeypatch):
    monkeypatch.setattr(postgres, "FAIL_FAST_SECONDS", 0.2)
    breaker = postgres.Breaker()
    assert breaker.allow()
    breaker.trip()
    assert not breaker.allow()  # no request waits on a database known not to answer
    time.sleep(0.25)
    assert breaker.allow()  # one request tries again...
    assert not breaker.allow()  # ...while the others still fail fast
    breaker.reset()  # it got an answer
    assert breaker.allow()


def test_an_idle_connection_the_server_ended_is_replaced_unnoticed(make_app, monkeypatch):
    url = postgres_url()
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_SECONDS", 0)
    app = make_app(DATABASE_URL=url, WEB_THREADS="1")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/backend")
    def backend():
        return str(db.session.scalar(text("SELECT pg_backend_pid()")))

    client = app.test_client()
    first = client.get("/backend").get_data(as_text=True)
    # A restart or failover ends the pooled connection while it is idle.
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (int(first),))
    time.sleep(0.2)
    response = client.get("/backend")
    assert response.status_code == 200
    assert response.get_data(as_text=True) != first


def test_a_busy_connection_is_not_pinged(make_app):
    # The price of pinging idle connections only: a connection ended while
    # busy fails the one request that next gets it (503), and the pool is
    # then renewed, so the request after it is served.
    url = postgres_url()
    app = make_app(DATABASE_URL=url, WEB_THREADS="1")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/backend")
    def backend():
        return str(db.session.scalar(text("SELECT pg_backend_pid()")))

    client = app.test_client()
    first = client.get("/backend").get_data(as_text=True)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (int(first),))
    time.sleep(0.2)
    assert client.get("/backend", headers=JSON).status_code == 503
    response = client.get("/backend")
    assert response.status_code == 200
    assert response.get_data(as_text=True) != first
