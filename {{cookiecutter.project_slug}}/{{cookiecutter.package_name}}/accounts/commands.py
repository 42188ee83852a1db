"""`flask create-user`, and the account-making the admin's command shares."""

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from ..platform.database import db
from .models import MIN_PASSWORD_LENGTH, User, normalize_email, user_by_email


@click.command("create-user")
@click.option("--email", prompt=True, help="The user's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_user_command(email, password):
    """Create an account."""
    create_account(email, password)
    click.echo(f"Created user {normalize_email(email)}.")


def create_account(email, password, **fields):
    """Add an account, or stop with a usage error naming the bad option.
    `fields` are further columns, such as `is_admin`."""
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
    # Whoever runs the command vouches for the address: no link to confirm it.
    db.session.add(User(email=email, password=password, verified=True, **fields))
    db.session.commit()
