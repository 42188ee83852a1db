{%- from "parts.jinja" import parts with context -%}
"""Accounts: who the users are (models.py) and the commands that make them
(commands.py){% if parts.limits %}; checking a password (passwords.py) and limiting
the guesses (limits.py){% endif %}{% if parts.web_ui %}; the pages to sign up, log in
and reset a password (views.py), with the links they mail (verification.py,
reset.py); the sessions kept on the server for each login (sessions.py) and
the account page that lists them (profile.py){% endif %}."""

from flask import Flask

from .commands import create_user_command


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
