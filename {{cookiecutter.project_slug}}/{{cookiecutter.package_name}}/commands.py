"""Custom CLI commands, run as `flask <command>` or `python manage.py <command>`.

Features add their own commands when they register.
"""

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import with_appcontext

from .deploy_check import deploy_problems
from .extensions import db
from .models import MIN_PASSWORD_LENGTH, User, normalize_email, user_by_email
from .release import release_command


def register_commands(app: Flask) -> None:
    app.cli.add_command(check_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(release_command)


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


@click.command("create-user")
@click.option("--email", prompt=True, help="The user's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_user_command(email, password):
    """Create an account (to sign in to the API, for example)."""
    create_account(email, password)
    click.echo(f"Created user {normalize_email(email)}.")


def create_account(email, password, **fields):
    """Add an account, or stop with a usage error naming the bad option.
    `fields` are further columns, for the features' own commands."""
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
    db.session.add(User(email=email, password=password, **fields))
    db.session.commit()
