from sqlalchemy import inspect, text

from {{ cookiecutter.package_name }}.platform.database import db
from {{ cookiecutter.package_name }}.platform.release import code_revisions, unknown_revisions


def test_release_upgrades_a_new_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/r.db")
    result = app.test_cli_runner().invoke(args=["release"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()


def test_after_a_rollback_release_leaves_the_newer_database_alone(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/r.db")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["release"]).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        # What the next release's migration would have left behind.
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
        connection.execute(text("CREATE TABLE added_by_newer_code (id INTEGER)"))
        tables = set(inspect(connection).get_table_names())
    result = runner.invoke(args=["release"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "release: the database is at 9999_newer, newer than this code's migrations "
        "(a rollback): schema left as it is"
    ]
    with app.app_context():
        assert set(inspect(db.engine).get_table_names()) == tables


def test_a_failing_migration_still_fails_the_release(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/r.db")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (id INTEGER)"))  # in the way of 0001
    result = app.test_cli_runner().invoke(args=["release"])
    assert result.exit_code != 0


def test_only_revisions_missing_from_the_code_count_as_newer(app):
    with app.app_context():
        known = code_revisions()
    assert unknown_revisions([], known) == []
    assert unknown_revisions(known[:1], known) == []
    assert unknown_revisions(["abc", known[0]], known) == ["abc"]
