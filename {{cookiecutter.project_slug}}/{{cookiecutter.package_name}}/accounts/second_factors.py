"""What an account has besides its password, whichever kind: whether a
password alone is enough to sign in, and the command that removes them all
for a person who lost them."""

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete

from ..platform.database import db
from . import totp
from .models import User, user_by_email
from .passkeys import Passkey, has_passkey


def init_app(app: Flask) -> None:
    app.cli.add_command(remove_second_factors_command)


def has_second_factor(user: User) -> bool:
    """Whether a password alone is not enough for this account: it has an
    authenticator app or a passkey."""
    return has_passkey(user) or totp.enabled(user)


@click.command("remove-second-factors")
@click.option("--email", prompt=True, help="The account's email address.")
@with_appcontext
def remove_second_factors_command(email):
    """Remove an account's authenticator app, recovery codes and passkeys,
    for a person who lost them all: the password alone logs in again."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account uses {email}")
    totp.turn_off(user)
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.commit()
    click.echo(f"Removed the second factors of {user.email}; the password alone logs in.")
