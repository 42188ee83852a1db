"""Flask-Migrate (Alembic), set up only where something migrates: `flask db
...`, the release phase and the tests. The processes that serve never
import it, which keeps about 15 MB and a tenth of a second of boot out of
every dyno.

`flask db` is listed without importing anything; running it binds
Flask-Migrate to the app and hands over to Flask-Migrate's own command.
"""

import logging
import os

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

from .extensions import db

MIGRATIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "migrations"))


def register_migrations(app: Flask) -> None:
    app.cli.add_command(MigrationCommands("db", help="Perform database migrations."))


def bind_migrations(app: Flask) -> None:
    """Set Flask-Migrate up on `app` (once): app.extensions["migrate"], which
    its functions read, and its own `db` commands in place of the stand-in."""
    if "migrate" in app.extensions:
        return
    # Alembic logs each plugin it sets up as it is imported: noise.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from flask_migrate import Migrate

    Migrate(app, db, directory=MIGRATIONS_DIR)


def upgrade(**options) -> None:
    """Flask-Migrate's upgrade (`flask db upgrade`), for the current app."""
    bind_migrations(current_app)
    from flask_migrate import upgrade as upgrade_database

    upgrade_database(**options)


class MigrationCommands(click.Group):
    """A stand-in for Flask-Migrate's `db` group, listed by `flask --help` at
    no cost. Used, it binds Flask-Migrate and hands the command line over to
    the real group, which parses its own options (-d, -x) and runs."""

    def make_context(self, info_name, args, parent=None, **extra):
        commands = flask_migrate_commands(parent)
        return commands.make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return flask_migrate_commands(ctx).list_commands(ctx)

    def get_command(self, ctx, name):
        return flask_migrate_commands(ctx).get_command(ctx, name)


def flask_migrate_commands(ctx: click.Context) -> click.Group:
    bind_migrations(ctx.ensure_object(ScriptInfo).load_app())
    from flask_migrate.cli import db as commands

    return commands
