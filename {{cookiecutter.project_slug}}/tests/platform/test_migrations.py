import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from sqlalchemy import inspect, text

from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.migrations import MIGRATIONS_DIR, upgrade

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The scheme alembic.ini gives new migrations: when, a random id, the message.
NEW_MIGRATION = re.compile(r"\d{4}_\d{2}_\d{2}_\d{4}_[0-9a-f]{12}_create_the_labels_table\.py")
UPGRADE_DOWNGRADE_UPGRADE_CHECK = """
from flask_migrate import check, downgrade, upgrade

from wsgi import app

with app.app_context():
    upgrade()
    downgrade(revision="-1")
    upgrade()
    check()
"""
# A model added to the copy of the project the test migrates.
LABEL_MODEL = """

class Label(db.Model):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
"""


def test_migrations_match_the_models(make_app, tmp_path):
    with make_app(DATABASE_URL=f"sqlite:///{tmp_path}/m.db").app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask db migrate` and commit the new migration"


def test_migrations_go_down_and_up_again(make_app, tmp_path):
    with make_app(DATABASE_URL=f"sqlite:///{tmp_path}/m.db").app_context():
        upgrade()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()


def test_flask_db_upgrades_and_downgrades(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/m.db")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "notes" in inspect(db.engine).get_table_names()
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "notes" not in inspect(db.engine).get_table_names()


def test_the_history_is_linear():
    scripts = ScriptDirectory(MIGRATIONS_DIR)
    assert len(scripts.get_heads()) == 1
    assert not [script.revision for script in scripts.walk_revisions() if script.is_merge_point]


def test_accounts_older_than_address_confirmation_count_as_confirmed(make_app, tmp_path):
    before = ScriptDirectory(MIGRATIONS_DIR).get_revision("999d6d688d7d").down_revision
    with make_app(DATABASE_URL=f"sqlite:///{tmp_path}/m.db").app_context():
        upgrade(before)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, password_hash, login_id, is_admin)"
                    " VALUES ('old@example.com', 'x', 'a-login-id', false)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            confirmed, created = connection.execute(
                text("SELECT email_verified_at, created_at FROM users")
            ).one()
    assert confirmed == created


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """An empty database of the test's own: an SQLite file, or a new database
    on TEST_DATABASE_URL's server, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/migrate.db"
        return
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set: no Postgres to migrate")
    name = f"migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.integration
def test_a_new_model_migrates_in_the_projects_scheme_both_ways(tmp_path, database_url):
    """What a person does: add a model, `flask db migrate`, commit the file."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv", "instance", ".env", "*cache*", "tests"),
    )
    models = project / "{{ cookiecutter.package_name }}" / "notes" / "models.py"
    models.write_text(models.read_text() + LABEL_MODEL)
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_SKIP_DOTENV": "1",
    }

    def python(*args):
        result = subprocess.run(
            [sys.executable, *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def flask(*args):
        python("-m", "flask", "--app", "wsgi", *args)

    flask("db", "upgrade")
    flask("db", "migrate", "-m", "Create the labels table")
    (written,) = {path.name for path in (project / "migrations" / "versions").glob("*.py")} - {
        path.name for path in (PROJECT_DIR / "migrations" / "versions").glob("*.py")
    }
    assert NEW_MIGRATION.fullmatch(written), written
    text = (project / "migrations" / "versions" / written).read_text()
    assert "sa.func.now()" in text and "CURRENT_TIMESTAMP" not in text
    python("-m", "ruff", "check", f"migrations/versions/{written}")
    python("-m", "ruff", "format", "--check", f"migrations/versions/{written}")
    # Then up, down and up again, and the models and the migrations agree:
    # Flask-Migrate's functions behind those commands, in one process
    # rather than four (each start loads the whole app).
    python("-c", UPGRADE_DOWNGRADE_UPGRADE_CHECK)
