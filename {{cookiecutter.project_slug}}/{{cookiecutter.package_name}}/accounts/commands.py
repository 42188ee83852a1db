"""`flask create-user`, and the account-making the admin's command shares;
`flask delete-account`."""

import click
from email_validator import EmailNotValidError
from flask.cli import with_appcontext

from ..platform.database import db
from .deletion import delete_account, last_admin_message
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
        email = normalize_email(email)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    if user_by_email(email):
        raise click.ClickException(f"an account for {email} exists already")
    # Whoever runs the command vouches for the address: no link to confirm it.
    db.session.add(User(email=email, password=password, verified=True, **fields))
    db.session.commit()


@click.command("delete-account")
@click.option("--email", prompt=True, help="The account's email address.")
@click.option("--yes", is_flag=True, help="Delete without asking to confirm.")
@with_appcontext
def delete_account_command(email, yes):
    """Delete an account and everything it owns."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account has the email {email!r}")
    email = user.email
    if not yes:
        click.confirm(f"Delete {email} and everything it owns, for good?", abort=True)
    if not delete_account(user):
        raise click.ClickException(last_admin_message(email))
    click.echo(f"Deleted {email} and everything it owned.")
