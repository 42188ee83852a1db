"""Task logic, run eagerly in the test's process (the test profile says so)."""

import logging

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.worker import tasks


def test_ping_answers(app):
    with app.app_context():
        assert tasks.ping.delay().get(timeout=5)["pong"] is True


def test_daily_summary_counts_the_last_day(app, db_session, caplog):
    caplog.set_level(logging.INFO)
    db_session.add(User(email="ada@example.com", password="a long password"))
    db_session.commit()
    with app.app_context():
        summary = tasks.log_daily_summary.delay().get(timeout=5)
    assert summary == {"new_users": 1}
    assert any(r.getMessage() == "daily summary" for r in caplog.records)


def test_an_unreachable_broker_degrades_health_but_not_pages(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["checks"]["broker"]["status"] == "error"
    assert health.json["checks"]["database"] == {"status": "ok"}
    assert client.get("/").status_code == 200


def test_tasks_ping_command_reports_the_worker(runner):
    result = runner.invoke(args=["tasks", "ping"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pong from ")


def test_tasks_ping_command_reports_an_unreachable_queue(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    app.extensions["celery"].conf.task_always_eager = False
    result = app.test_cli_runner().invoke(args=["tasks", "ping", "--timeout", "3"])
    assert result.exit_code == 1
    # The broker is checked first: not the result store's 20 s of retries.
    assert "cannot reach the task queue" in result.output


def test_only_ping_keeps_its_result():
    assert tasks.ping.ignore_result is False
    assert tasks.log_daily_summary.ignore_result is True


def test_tasks_ping_command_fails_without_a_worker(make_app):
    app = make_app()
    app.extensions["celery"].conf.task_always_eager = False  # a real queue, no worker
    result = app.test_cli_runner().invoke(args=["tasks", "ping", "--timeout", "0.5"])
    assert result.exit_code == 1
    assert "no worker answered within 0.5 s" in result.output


def test_the_broker_is_a_health_check(client):
    assert client.get("/healthz").json["checks"]["broker"] == {"status": "ok"}


def test_check_flags_the_embedded_queue_in_production(make_app):
    app = make_app(APP_ENV="development")
    assert "- REDIS_URL is not set" in app.test_cli_runner().invoke(args=["check"]).output
