"""What would be wrong with this configuration in production.

In the spirit of Django's `check --deploy`: `flask check` prints each problem
and exits non-zero when there is any. Run it with the production settings,
for example `heroku run flask check`.
"""

from collections.abc import Mapping

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extending import registered
from .settings import INSECURE_SECRET_KEY, SECRET_KEY_MIN_LENGTH


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
    """The platform's problems, then each feature's."""
    problems = platform_problems(app.config)
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
    if not config["PUBLIC_URL"]:
        problems.append(
            "PUBLIC_URL is not set; requests for any host are accepted: set it to "
            "https://<your app's domain>"
        )
    elif not config["PUBLIC_URL"].startswith("https://"):
        problems.append(f"PUBLIC_URL is {config['PUBLIC_URL']}; links should use https://")
    if config["LOG_LEVEL"] == "DEBUG":
        problems.append("LOG_LEVEL is DEBUG; logs may carry request data, use INFO")
    return problems
