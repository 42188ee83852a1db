"""A database or Redis that is down, slow or frozen: bounded waits, 503s
with Retry-After, one log line per failure, nothing dropped silently."""

import logging
import os
import socket
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }}.platform import health, postgres
from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.extending import add_health_check
from {{ cookiecutter.package_name }}.platform.settings import load_settings

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
POSTGRES = "postgres://u:p@db.example.com/d"


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
        # A server the network no longer reaches: probes each second, and
        # 3 s without an acknowledgement or a probe's answer end the wait.
        "keepalives": 1,
        "keepalives_idle": 1,
        "keepalives_interval": 1,
        "keepalives_count": 3,
        "tcp_user_timeout": 3000,
    }


def test_postgres_waits_are_settings():
    config = settings(
        DATABASE_URL=POSTGRES,
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_STATEMENT_TIMEOUT="8",
        DATABASE_POOL_TIMEOUT="1",
        DATABASE_NETWORK_TIMEOUT="5",
    )
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_timeout"] == 1
    assert options["connect_args"]["connect_timeout"] == 2
    assert options["connect_args"]["options"] == "-c statement_timeout=8000"
    assert options["connect_args"]["tcp_user_timeout"] == 5000
    assert options["connect_args"]["keepalives_count"] == 5


def test_a_zero_statement_timeout_lifts_that_limit_alone_for_migrations():
    connect_args = settings(DATABASE_URL=POSTGRES, DATABASE_STATEMENT_TIMEOUT="0")[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]["connect_args"]
    assert "options" not in connect_args
    # A long migration on a live server is never cut by the network's limit.
    assert connect_args["tcp_user_timeout"] == 3000


def test_a_zero_network_timeout_leaves_the_network_waits_to_the_system():
    connect_args = settings(DATABASE_URL=POSTGRES, DATABASE_NETWORK_TIMEOUT="0")[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]["connect_args"]
    assert connect_args == {"connect_timeout": 3, "options": "-c statement_timeout=3000"}
    assert settings()["SQLALCHEMY_ENGINE_OPTIONS"] == {}  # SQLite needs no network


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


def timed_get(client, path):
    started = time.monotonic()
    response = client.get(path, headers=JSON)
    return response, time.monotonic() - started


def test_a_database_that_does_not_answer_is_given_up_then_failed_fast(make_app, monkeypatch):
    monkeypatch.setattr(postgres, "FAIL_FAST_SECONDS", 1)
    # The kernel accepts connections to it; no server ever answers them.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        app = make_app(
            DATABASE_URL=f"postgresql://u@127.0.0.1:{port}/d", DATABASE_CONNECT_TIMEOUT="2"
        )
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/needs-database")
        def needs_database():
            db.session.execute(text("SELECT 1"))
            return "unreachable"

        client = app.test_client()
        response, seconds = timed_get(client, "/needs-database")
        assert response.status_code == 503
        assert 2 <= seconds < 4  # the connect timeout
        # Then the process fails fast, /healthz included...
        for path in ("/needs-database", "/healthz"):
            response, seconds = timed_get(client, path)
            assert (response.status_code, seconds < 1) == (503, True)
        # ...until one request tries again.
        time.sleep(1)
        response, seconds = timed_get(client, "/needs-database")
        assert response.status_code == 503
        assert seconds >= 2


def test_the_connection_socket_gives_up_on_a_lost_network(make_app):
    app = make_app(DATABASE_URL=postgres_url(), DATABASE_NETWORK_TIMEOUT="4")
    with app.app_context():
        connection = db.session.connection().connection.driver_connection
        with socket.socket(fileno=os.dup(connection.fileno())) as sock:
            if sock.family == socket.AF_UNIX:
                pytest.skip("TEST_DATABASE_URL names a Unix socket: no TCP to set")
            if not hasattr(socket, "TCP_USER_TIMEOUT"):
                pytest.skip("no TCP_USER_TIMEOUT on this system")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 4000
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 1
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 1
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 4


def test_a_slow_statement_on_a_live_server_outlasts_the_network_timeout(make_app):
    # The server's kernel acknowledges the query and each probe while the
    # statement runs: the network's limit is for silence, not slowness.
    app = make_app(
        DATABASE_URL=postgres_url(), DATABASE_STATEMENT_TIMEOUT="0", DATABASE_NETWORK_TIMEOUT="1"
    )
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connected
        started = time.monotonic()
        assert db.session.scalar(text("SELECT 1 FROM pg_sleep(2.5)")) == 1
        assert time.monotonic() - started >= 2.5


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
