"""The everyday changes, made on a fresh render the way its README's
"Customising" section says: a dependency added and one upgraded, a setting,
a model and its migration, a page, a task. Afterwards the project is as
green as it was made: lint, the suite, a lock that matches pyproject.toml,
and an install as Heroku's buildpack does it."""

import re
import subprocess
from pathlib import Path

import pytest

from harness import UV, generated_suite_env, project_python, render

pytestmark = pytest.mark.slow

# What the README must say, in the words the steps below use.
README_COMMANDS = (
    "uv add ",
    "uv lock --upgrade-package ",
    "uv remove ",
    "uv run flask settings write",
    'uv run flask db migrate -m "',
    "uv run flask db upgrade",
    "add_to_navigation(",
    "@shared_task",
    "uv run ruff check . && uv run pytest",
)

# A setting beside the notes' own (notes/ownership.py declares them).
LABELS_PER_NOTE = """
LABELS_PER_NOTE = Setting(
    "LABELS_PER_NOTE",
    "How many labels one note may carry.",
    default="5",
    parse=whole_number,
)

SETTINGS = (NOTES_PER_ACCOUNT, LABELS_PER_NOTE)
"""
MODEL = """

class Booking(db.Model):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
"""
PAGE = """

@bp.get("/labels")
def labels():
    return render_template("notes/labels.html", limit=current_app.config["LABELS_PER_NOTE"])
"""
PAGE_TEMPLATE = """\
{% extends "pages/layout.html" %}
{% block content %}
  <h1>Labels</h1>
  <p>At most {{ limit }} labels a note.</p>
{% endblock %}
"""
TASK = '''

@shared_task
def count_labels() -> int:
    """Counts the labels: the task a test adds."""
    return 0
'''


def readme_section(project: Path, title: str) -> str:
    text = (project / "README.md").read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_the_readmes_everyday_changes_keep_the_project_green(tmp_path):
    project = render(tmp_path / "render")
    customising = readme_section(project, "Customising")
    for command in README_COMMANDS:
        assert command in customising, command

    python = project_python(project)
    uv_env = {
        **{key: value for key, value in generated_suite_env().items() if key != "VIRTUAL_ENV"},
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"),
    }
    # What the render's .env would say, with its database in the test's folder.
    env = {
        **uv_env,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path}/development.db",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }

    def run(*command: str) -> str:
        result = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}{result.stderr}"
        return result.stdout + result.stderr

    def uv(*args: str) -> str:
        return run(UV, *args)

    uv("sync", "--python", python)
    uv("run", "flask", "db", "upgrade")

    # A dependency, pinned as every other one is; one upgraded; one removed.
    uv("add", "tomli-w==1.2.0")
    assert '"tomli-w==1.2.0"' in (project / "pyproject.toml").read_text()
    uv("add", "humanize==4.14.0")
    uv("remove", "humanize")
    assert "humanize" not in (project / "uv.lock").read_text()
    uv("lock", "--upgrade-package", "idna")
    uv("sync")

    package = project / "my_service"
    # A setting, declared once beside the code that reads it and listed in
    # its module's SETTINGS, which the notes' settings() reads one by one.
    ownership = package / "notes" / "ownership.py"
    text = ownership.read_text().replace("SETTINGS = (NOTES_PER_ACCOUNT,)\n", LABELS_PER_NOTE)
    assert "return {setting.name: setting.read(environ) for setting in SETTINGS}" in text
    assert "SETTINGS = (NOTES_PER_ACCOUNT, LABELS_PER_NOTE)" in text
    ownership.write_text(text)
    uv("run", "flask", "settings", "write")
    assert "LABELS_PER_NOTE" in (project / ".env.example").read_text()
    assert "LABELS_PER_NOTE" in (project / "docs" / "configuration.md").read_text()

    # A model and its migration.
    append(package / "notes" / "models.py", MODEL)
    uv("run", "flask", "db", "migrate", "-m", "Create the bookings table")
    (migration,) = (project / "migrations" / "versions").glob("*_create_the_bookings_table.py")
    assert re.fullmatch(
        r"\d{4}_\d{2}_\d{2}_\d{4}_[0-9a-f]{12}_create_the_bookings_table\.py", migration.name
    )
    uv("run", "flask", "db", "upgrade")

    # A page, in the navigation.
    views = package / "notes" / "views.py"
    text = views.read_text().replace(
        "from flask import Blueprint, Flask,", "from flask import Blueprint, Flask, current_app,"
    )
    text = text.replace(
        '    add_to_navigation(app, "Notes", "notes.index")',
        '    add_to_navigation(app, "Notes", "notes.index")\n'
        '    add_to_navigation(app, "Labels", "notes.labels")',
    )
    views.write_text(text + PAGE)
    (package / "notes" / "templates" / "notes" / "labels.html").write_text(PAGE_TEMPLATE)

    # A task.
    append(package / "worker" / "tasks.py", TASK)

    uv("run", "ruff", "check", "--fix", ".")  # the imports a person's editor would sort
    uv("run", "ruff", "format", ".")
    uv("run", "ruff", "check", ".")
    uv("run", "ruff", "format", "--check", ".")
    suite = subprocess.run(
        [UV, "run", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=uv_env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-4000:]
    uv("lock", "--check")

    # As Heroku's buildpack installs it: the lock alone, without the dev group.
    heroku = {**env, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "heroku")}
    subprocess.run(
        [UV, "sync", "--locked", "--no-default-groups", "--python", python],
        cwd=project,
        env=heroku,
        check=True,
        capture_output=True,
        timeout=600,
    )
    check = subprocess.run(
        [str(tmp_path / "heroku" / "bin" / "python"), "-c", "import tomli_w, wsgi"],
        cwd=project,
        env=heroku,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert not (tmp_path / "heroku" / "bin" / "pytest").exists()
