import os
import secrets

import pytest

from support import FIGURES, project_venv, render, skip_or_fail


@pytest.fixture(scope="session")
def default_project(tmp_path_factory):
    """The project as `cookiecutter` renders it with every default answer."""
    return render(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def default_venv(default_project):
    return project_venv(default_project)


@pytest.fixture
def postgres_database():
    """A fresh database on the server at TEST_DATABASE_URL, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("TEST_DATABASE_URL is not set: no Postgres to drill against")
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        skip_or_fail(f"Postgres at TEST_DATABASE_URL is unreachable: {error}")
    name = f"drill_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("measured")
        for line in FIGURES:
            terminalreporter.write_line(line)
