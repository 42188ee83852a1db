"""Finish the generated project: prune unchosen parts, a private .env, then the next steps."""

import secrets
import shutil
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE = "{{ cookiecutter.package_name }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
# The Procfile's long-running processes: what `honcho start` should run.
PROCESSES = "web{% if cookiecutter.use_celery %} worker beat{% endif %}"
USE_WEB_UI = "{{ cookiecutter.use_web_ui }}" == "True"

# What each option adds, relative to the project directory. A directory or
# file cookiecutter cannot name conditionally (Flask templates are copied
# without rendering) is removed here when its option is off.
WEB_UI_PATHS = (
    "{package}/auth",
    "{package}/notes",
    "{package}/admin.py",
    "{package}/templates/auth",
    "{package}/templates/notes",
    "{package}/templates/admin",
    "{package}/templates/macros",
    "{package}/static/admin-confirm.js",
    "tests/test_auth.py",
    "tests/test_password_reset.py",
    "tests/test_notes.py",
    "tests/test_admin.py",
)


def unchosen_paths(package, use_web_ui):
    """The paths of the parts the answers left out."""
    paths = [] if use_web_ui else WEB_UI_PATHS
    return [path.format(package=package) for path in paths]


def prune(project_dir, paths):
    for relative in paths:
        path = project_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def env_from_example(example, secret_key):
    """The .env text: .env.example with SECRET_KEY set to the given value."""
    lines = []
    for line in example.splitlines():
        if line.startswith("SECRET_KEY="):
            line = f"SECRET_KEY='{secret_key}'"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_env(project_dir):
    example = (project_dir / ".env.example").read_text()
    env_file = project_dir / ".env"
    env_file.write_text(env_from_example(example, secrets.token_urlsafe(48)))
    env_file.chmod(0o600)


def next_steps(slug, python_version, processes, use_web_ui=False):
    admin = "flask create-admin   # an account for /admin/\n    " if use_web_ui else ""
    return f"""
Your service is ready in ./{slug}. Run it locally:

    cd {slug}
    python{python_version} -m venv .venv && . .venv/bin/activate
    pip install -r requirements-test.txt
    flask db upgrade && {admin}honcho start {processes}

Deploy it to Heroku:

    git init && git add . && git commit -m "Start {slug}"
    heroku create {slug} && heroku addons:create heroku-postgresql:essential-0
    heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    git push heroku main
"""


def main():
    prune(Path.cwd(), unchosen_paths(PACKAGE, USE_WEB_UI))
    write_env(Path.cwd())
    print(next_steps(SLUG, PYTHON_VERSION, PROCESSES, USE_WEB_UI))


if __name__ == "__main__":
    main()
