"""The web pages: accounts (auth/), the notes pages (notes/) and the admin
(admin.py), with the settings and the command they need."""

from datetime import timedelta

import click
from flask import Flask, g
from flask.cli import with_appcontext

from . import auth, notes
from .admin import register_admin
from .auth.sessions import login_manager
from .commands import create_account
from .environment import int_setting
from .errors import on_database_outage
from .models import MIN_PASSWORD_LENGTH, normalize_email


def settings(environ, config) -> dict:
    production = config["APP_ENV"] == "production"
    return {
        "RESET_RATE_LIMIT": environ.get("RESET_RATE_LIMIT", "3 per hour; 10 per day"),
        # Seconds a password reset link stays valid.
        "PASSWORD_RESET_MAX_AGE": int_setting(environ, "PASSWORD_RESET_MAX_AGE", 3600),
        # "Keep me logged in": a cookie as guarded as the session's, for a while.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int_setting(environ, "REMEMBER_DAYS", 14)),
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Every page, the core's too, in the layout with the navigation.
    app.jinja_env.globals["page_layout"] = "web_ui/base.html"
    on_database_outage(app, show_pages_as_to_a_visitor)
    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)
    register_admin(app)
    app.cli.add_command(create_admin_command)


def show_pages_as_to_a_visitor() -> None:
    """A page names who is logged in, which takes the database (the user,
    or their expired attributes): while it is out, pages are shown as to a
    visitor. Flask-Login keeps the request's user in `g._login_user`."""
    g._login_user = login_manager.anonymous_user()


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_admin_command(email, password):
    """Create an administrator account, for /admin/."""
    create_account(email, password, is_admin=True)
    click.echo(f"Created admin {normalize_email(email)}.")
