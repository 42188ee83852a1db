from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from sqlalchemy import inspect, text

from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.migrations import upgrade


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


def test_existing_accounts_get_their_own_login_ids(make_app, tmp_path):
    with make_app(DATABASE_URL=f"sqlite:///{tmp_path}/m.db").app_context():
        upgrade(revision="0002")  # before login ids existed
        with db.engine.begin() as connection:
            for email in ("ada@example.com", "bob@example.com"):
                connection.execute(
                    text(
                        "INSERT INTO users (email, password_hash, is_admin) "
                        "VALUES (:email, 'scrypt:x', false)"
                    ),
                    {"email": email},
                )
        upgrade()
        with db.engine.connect() as connection:
            login_ids = connection.execute(text("SELECT login_id FROM users")).scalars().all()
    assert len(set(login_ids)) == 2
    assert all(len(login_id) == 32 for login_id in login_ids)


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
