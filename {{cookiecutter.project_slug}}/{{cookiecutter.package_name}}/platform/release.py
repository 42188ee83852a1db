"""The release phase: migrate the database, unless it is ahead of this code.

Heroku runs the release command on every deploy and again on a rollback,
when the database is at a revision the older code has never heard of:
`flask db upgrade` would fail and stop the rollback, so the release leaves
such a database alone (expand-then-contract migrations keep the older code
working on it).
"""

import click
from alembic.script import ScriptDirectory
from flask.cli import with_appcontext
from sqlalchemy import inspect, text

from .database import db
from .migrations import MIGRATIONS_DIR, upgrade


def unknown_revisions(database_heads, known_revisions):
    """The revisions the database is at that this code's migrations lack."""
    return sorted(set(database_heads) - set(known_revisions))


def code_revisions():
    return [script.revision for script in ScriptDirectory(MIGRATIONS_DIR).walk_revisions()]


def database_heads():
    """The revisions in Alembic's version table (read directly: Alembic's own
    reader logs two lines on each use)."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return []
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@click.command("release")
@with_appcontext
def release_command():
    """Upgrade the database; after a rollback, leave a newer one as it is."""
    ahead = unknown_revisions(database_heads(), code_revisions())
    if ahead:
        click.echo(
            f"release: the database is at {', '.join(ahead)}, newer than this code's "
            "migrations (a rollback): schema left as it is"
        )
        return
    upgrade()
