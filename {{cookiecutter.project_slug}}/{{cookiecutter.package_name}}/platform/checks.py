"""What would be wrong with this configuration in production.

In the spirit of Django's `check --deploy`: `flask check` prints each problem
and exits non-zero when there is any. Run it with the production settings,
for example `heroku run flask check`.
"""

import importlib
from collections.abc import Mapping

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extending import registered
from .settings import INSECURE_SECRET_KEY, SECRET_KEY_MIN_LENGTH
from .settings_files import declared, missing_in_production


@click.command("check")
@with_appcontext
def check_command():
    """Report what is wrong with this configuration for production."""
    problems = deploy_problems(current_app)
    for problem in problems:
        click.echo(f"- {problem}")
    if problems:
        raise click.ClickException(f"{len(problems)} deploy problem(s) found")
    click.echo("No deploy problems found.")


def deploy_problems(app: Flask) -> list[str]:
    """The platform's problems, the settings production needs that are
    missing, then each feature's own checks."""
    features = importlib.import_module(app.import_name).FEATURES
    problems = platform_problems(app.config)
    problems += missing_in_production(app.config, declared(features))
    for check in registered(app).deploy_checks:
        problem = check(app.config)
        if problem:
            problems.append(problem)
    return problems


def platform_problems(config: Mapping) -> list[str]:
    problems = []
    if config["APP_ENV"] != "production":
        problems.append(
            f"APP_ENV is {config['APP_ENV']!r}; a deployed service runs with APP_ENV=production"
        )
    secret = config["SECRET_KEY"]
    if secret == INSECURE_SECRET_KEY:
        problems.append("SECRET_KEY is not set; the development fallback is public")
    elif len(secret) < SECRET_KEY_MIN_LENGTH:
        problems.append(
            f"SECRET_KEY is {len(secret)} characters long; use at least "
            f"{SECRET_KEY_MIN_LENGTH} random ones"
        )
    if config["DEBUG"]:
        problems.append("DEBUG is on; the debugger runs code sent by any visitor")
    if config["DATABASE"].is_sqlite:
        problems.append(
            "DATABASE_URL is SQLite; a dyno's disk is wiped on every restart, "
            "attach Postgres instead"
        )
    if not config["SESSION_COOKIE_SECURE"]:
        problems.append("SESSION_COOKIE_SECURE is off; session cookies would travel over HTTP")
    if not config["FORCE_HTTPS"]:
        problems.append("FORCE_HTTPS is off; plain-HTTP requests are served, not redirected")
    if config["PUBLIC_URL"] and not config["PUBLIC_URL"].startswith("https://"):
        problems.append(f"PUBLIC_URL is {config['PUBLIC_URL']}; links should use https://")
    if config["LOG_LEVEL"] == "DEBUG":
        problems.append("LOG_LEVEL is DEBUG; logs may carry request data, use INFO")
    return problems
