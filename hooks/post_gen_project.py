"""Finish the generated project: prune what was not chosen, a private .env,
then the next steps."""

import json
import secrets
import shutil
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE = "{{ cookiecutter.package_name }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
# All the answers, as JSON in a raw string (see pre_gen_project.py).
ANSWERS = r"""{{ cookiecutter | tojson }}"""

# Each option's directories, removed when it is answered false. Single files
# carry conditional names instead, which cookiecutter skips when they render
# empty; a directory cannot: an empty name is "the directory exists already".
OPTIONAL_DIRECTORIES = {
    "use_api": ("{package}/api",),
}


def unchosen_directories(options, package):
    """The directories, relative to the project, of the options not chosen."""
    return [
        path.format(package=package)
        for option, paths in OPTIONAL_DIRECTORIES.items()
        if not options[option]
        for path in paths
    ]


def prune(project_dir, options, package):
    for relative in unchosen_directories(options, package):
        shutil.rmtree(project_dir / relative)


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


def next_steps(slug, python_version):
    return f"""
Your service is ready in ./{slug}. Run it locally:

    cd {slug}
    python{python_version} -m venv .venv && . .venv/bin/activate
    pip install -r requirements-test.txt
    flask db upgrade && honcho start web

Deploy it to Heroku:

    git init && git add . && git commit -m "Start {slug}"
    heroku create {slug} && heroku addons:create heroku-postgresql:essential-0
    heroku config:set SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    git push heroku main
"""


def main():
    prune(Path.cwd(), json.loads(ANSWERS), PACKAGE)
    write_env(Path.cwd())
    print(next_steps(SLUG, PYTHON_VERSION))


if __name__ == "__main__":
    main()
