"""A rollback as Heroku runs it: the older release's release line, against a
database the newer release has already migrated, then its web process."""

import re
import shutil

import pytest

from harness import Dyno, http_get, production, project_venv

pytestmark = pytest.mark.slow

# The newer release's migration: an expand step (a nullable column the older
# code never reads), as the generated docs/deploying.md asks migrations to be written.
NEWER_MIGRATION = '''"""Add users.nickname (nullable: the release before this one ignores it).

Revision ID: 9001
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("nickname", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("nickname")
'''

# Run in the project's environment: every table with its columns, one a line.
PRINT_SCHEMA = """
from sqlalchemy import inspect
from wsgi import app
from my_service.platform.database import db
with app.app_context():
    schema = inspect(db.engine)
    for table in sorted(schema.get_table_names()):
        print(table, sorted(column["name"] for column in schema.get_columns(table)))
"""


def newest_revision(project):
    """The head: the one revision no other revises (ids are random, not ordered)."""
    revisions, revised = set(), set()
    for path in (project / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        revisions.add(re.search(r'^revision = "([^"]+)"', text, re.MULTILINE).group(1))
        revised.add(re.search(r"^down_revision = (\S+)", text, re.MULTILINE).group(1).strip('"'))
    (head,) = revisions - revised
    return head


def schema(dyno):
    result = dyno.run_command(f"python -c '{PRINT_SCHEMA}'")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_rolling_back_past_a_migration_keeps_the_schema_and_serves(
    dyno_project, tmp_path, request, engine
):
    older = dyno_project("default")
    newer = tmp_path / "newer"
    shutil.copytree(older, newer)
    migration = newer / "migrations" / "versions" / "9001_add_user_nickname.py"
    head = newest_revision(older)
    migration.write_text(NEWER_MIGRATION.format(head=head))

    settings = production(tmp_path)
    if engine == "postgres":
        settings["DATABASE_URL"] = request.getfixturevalue("postgres_database")
    venv = project_venv(older)
    older_dyno = Dyno(older, venv, tmp_path, **settings)
    newer_dyno = Dyno(newer, venv, tmp_path, **settings)

    older_dyno.release()  # release N
    assert f"Running upgrade {head} -> 9001" in newer_dyno.release()  # release N+1
    migrated = schema(newer_dyno)
    assert "nickname" in migrated

    # heroku rollback: release N's slug, and its release line runs again.
    result = older_dyno.run("release")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).splitlines() == [
        "release: the database is at 9001, newer than this code's migrations "
        "(a rollback): schema left as it is"
    ]
    assert schema(older_dyno) == migrated

    with older_dyno.web():
        assert http_get(f"{older_dyno.url}/healthz")[0] == 200
        assert http_get(f"{older_dyno.url}/")[0] == 200
