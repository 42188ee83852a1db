"""Alembic's entry point, run by `flask db ...` inside the app context."""

import logging

from alembic import context
from flask import current_app

from {{ cookiecutter.package_name }}.platform.database import db

config = context.config
# Alembic logs through the app's handlers; its plugin set-up lines are noise.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

COMPARE_OPTIONS = {
    "target_metadata": db.metadata,
    "compare_type": True,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    "render_as_batch": True,
}


def run_migrations_offline() -> None:
    """Print the SQL for `flask db upgrade --sql` without connecting."""
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        literal_binds=True,
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty_revision(context, revision, directives):
        # `flask db migrate` with no model change should not write a file.
        autogenerate = getattr(config.cmd_opts, "autogenerate", False)
        if autogenerate and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            current_app.logger.info("no changes in the models; no migration written")

    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            process_revision_directives=skip_empty_revision,
            **COMPARE_OPTIONS,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
