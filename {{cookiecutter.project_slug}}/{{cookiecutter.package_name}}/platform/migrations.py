"""Migrations: Flask-Migrate (Alembic) on the app's `db`, with the scripts in
the project's migrations/ folder. `flask db ...` runs them; the release
phase (release.py) and the tests call `upgrade`."""

import logging
import os

from flask import Flask
from flask_migrate import Migrate
from flask_migrate import upgrade as flask_migrate_upgrade

from .database import db

MIGRATIONS_DIR = os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "migrations")
)

migrate = Migrate(directory=MIGRATIONS_DIR)


def init_app(app: Flask) -> None:
    # Alembic logs each plugin it sets up: noise in every command's output.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    migrate.init_app(app, db)


def upgrade(revision: str = "head") -> None:
    """`flask db upgrade`, for the current app."""
    flask_migrate_upgrade(revision=revision)
