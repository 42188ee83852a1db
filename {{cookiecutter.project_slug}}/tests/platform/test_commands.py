import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.platform.checks import platform_problems
from {{ cookiecutter.package_name }}.platform.extending import registered

PROJECT_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgres://u:p@db.example.com:5432/app",
    "PUBLIC_URL": "https://service.example.com",
}


def test_check_reports_each_problem_of_a_development_setup(make_app, tmp_path):
    app = make_app(APP_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path}/a.db")
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    expected = [
        "APP_ENV is 'development'",
        "SECRET_KEY is not set",
        "DATABASE_URL is SQLite",
        "SESSION_COOKIE_SECURE is off",
        "FORCE_HTTPS is off",
        "PUBLIC_URL is not set",
    ]
    for problem in expected:
        assert f"- {problem}" in result.output
    # Features add their own problems (see their tests): each one is counted.
    listed = [line for line in result.output.splitlines() if line.startswith("- ")]
    assert f"{len(listed)} deploy problem(s) found" in result.output


def test_check_passes_a_production_setup(make_app):
    app = make_app(**PRODUCTION)
    assert platform_problems(app.config) == []
    # What the features check (see their tests) is theirs to pass.
    registered(app).deploy_checks.clear()
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No deploy problems found." in result.output


def test_check_wants_an_https_public_url(make_app):
    app = make_app(**{**PRODUCTION, "PUBLIC_URL": "http://service.example.com"})
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "links should use https://" in result.output


def test_check_catches_debug_and_verbose_logs(make_app, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # Flask reads it itself
    app = make_app(**PRODUCTION, LOG_LEVEL="DEBUG")
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "DEBUG is on" in result.output
    assert "LOG_LEVEL is DEBUG" in result.output


def run_manage(*args):
    environ = {**os.environ, "APP_ENV": "test", "FLASK_SKIP_DOTENV": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_runs_as_a_program():
    routes = run_manage("routes")
    assert routes.returncode == 0, routes.stderr
    assert "/healthz" in routes.stdout


def test_manage_py_keeps_the_flask_script_spelling(monkeypatch, capsys):
    import manage  # the project's root module, beside the package

    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    # Flask's command line sets this for the rest of the process (app.run()
    # does nothing then); set through monkeypatch, it goes after the test.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    with pytest.raises(SystemExit) as finished:
        manage.main(["runserver", "--help"])
    assert finished.value.code == 0
    assert "Run a local development server" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        manage.main(["--help"])
    listing = capsys.readouterr().out
    for command in ("shell", "db", "check", "create-user", "release"):
        assert command in listing


def test_a_production_start_without_secret_key_names_it():
    environ = {
        key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "APP_ENV")
    }
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: SECRET_KEY is not set; production needs a random value of at least 32 characters"
    ]


def test_create_user_makes_an_account_without_admin_rights(runner, db_session):
    result = runner.invoke(
        args=["create-user", "--email", "Ada@Example.com", "--password", "a long password!"]
    )
    assert result.exit_code == 0, result.output
    assert "Created user ada@example.com." in result.output
    user = db_session.scalar(select(User).where(User.email == "ada@example.com"))
    assert not user.is_admin
    assert user.check_password("a long password!")
