{%- from "parts.jinja" import parts with context -%}
"""Accounts: who the users are (models.py), the commands that make and
delete them (commands.py), deleting one with all it owns (deletion.py){% if parts.limits %};
checking a password (passwords.py) and limiting the guesses (limits.py){% endif %}{% if parts.web_ui %};
the pages to sign up, log in and reset a password (views.py), with the
links they mail (verification.py, reset.py); the sessions kept on the
server for each login (sessions.py) and the account page (profile.py);
changing the email or password (changes.py) after proving it again
(sudo.py); second factors (second_factors.py): authenticator apps and
recovery codes (two_factor.py, totp.py, their keys sealed by sealed.py) and
passkeys (passkeys.py); the security mails (notices.py){% endif %}."""

from flask import Flask

from .commands import create_user_command, delete_account_command


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(delete_account_command)
