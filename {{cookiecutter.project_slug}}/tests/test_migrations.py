from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from {{ cookiecutter.package_name }}.extensions import db


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
