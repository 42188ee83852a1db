"""Custom CLI commands, run as `flask <command>` or `python manage.py <command>`."""

{% if cookiecutter.use_celery -%}
import time

{% endif -%}
import click
{%- if cookiecutter.use_celery %}
from celery.exceptions import TimeoutError as TaskTimeout
{%- endif %}
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import with_appcontext
{%- if cookiecutter.use_celery %}
from kombu.exceptions import OperationalError as QueueUnreachable
{%- endif %}

{% if cookiecutter.use_celery -%}
from .celery_app import check_broker
{% endif -%}
from .deploy_check import deploy_problems
from .extensions import db
from .models import MIN_PASSWORD_LENGTH, User, normalize_email, user_by_email
from .release import release_command
{%- if cookiecutter.use_celery %}
from .tasks import ping
{%- endif %}


def register_commands(app: Flask) -> None:
    app.cli.add_command(check_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(release_command)
{%- if cookiecutter.use_celery %}
    app.cli.add_command(tasks_group)
{%- endif %}


@click.command("check")
@with_appcontext
def check_command():
    """Report what is wrong with this configuration for production."""
    problems = deploy_problems(current_app.config)
    for problem in problems:
        click.echo(f"- {problem}")
    if problems:
        raise click.ClickException(f"{len(problems)} deploy problem(s) found")
    click.echo("No deploy problems found.")


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_admin_command(email, password):
    """Create an administrator account."""
    create_account(email, password, is_admin=True)
    click.echo(f"Created admin {normalize_email(email)}.")


@click.command("create-user")
@click.option("--email", prompt=True, help="The user's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_user_command(email, password):
    """Create an account without admin rights (for the API, for example)."""
    create_account(email, password, is_admin=False)
    click.echo(f"Created user {normalize_email(email)}.")


def create_account(email, password, is_admin):
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    email = normalize_email(email)
    if user_by_email(email):
        raise click.ClickException(f"an account for {email} exists already")
    db.session.add(User(email=email, password=password, is_admin=is_admin))
    db.session.commit()
{%- if cookiecutter.use_celery %}


@click.group("tasks")
def tasks_group():
    """Talk to the worker process through the task queue."""


@tasks_group.command("ping")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait.")
@with_appcontext
def ping_command(timeout):
    """Send a task through the queue and wait for a worker's answer."""
    started = time.perf_counter()
    try:
        # First, as /healthz does: the result store would retry for 20 s.
        check_broker()
    except QueueUnreachable as error:
        raise click.ClickException(f"cannot reach the task queue: {error}") from None
    try:
        # A worker that starts after the timeout drops the ping instead of answering.
        answer = ping.apply_async(expires=timeout).get(timeout=timeout)
    except TaskTimeout:
        raise click.ClickException(
            f"no worker answered within {timeout:g} s; is the worker process running?"
        ) from None
    latency_ms = (time.perf_counter() - started) * 1000
    click.echo(f"pong from {answer['worker']} in {latency_ms:.0f} ms")
{%- endif %}
