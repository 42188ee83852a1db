"""Finish the generated project: a private .env, then the next steps."""

import secrets
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
# The Procfile's long-running processes: what `honcho start` should run.
PROCESSES = "web{% if cookiecutter.use_celery %} worker beat{% endif %}"


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


def next_steps(slug, python_version, processes):
    return f"""
Your service is ready in ./{slug}. Run it locally:

    cd {slug}
    python{python_version} -m venv .venv && . .venv/bin/activate
    pip install -r requirements-test.txt
    flask db upgrade && honcho start {processes}

Deploy it to Heroku:

    git init && git add . && git commit -m "Start {slug}"
    heroku create {slug} && heroku addons:create heroku-postgresql:essential-0
    heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    git push heroku main
"""


def main():
    write_env(Path.cwd())
    print(next_steps(SLUG, PYTHON_VERSION, PROCESSES))


if __name__ == "__main__":
    main()
