"""Finish the generated project: prune what was not chosen, a private .env,
then the next steps. On a `cruft update` only the pruning: that render is a
scratch copy to diff against, not a project anyone runs."""

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE = "{{ cookiecutter.package_name }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
# All the answers, as JSON in a raw string (see pre_gen_project.py).
ANSWERS = r"""{{ cookiecutter | tojson }}"""
# The Procfile's long-running processes: what `honcho start` should run.
PROCESSES = "web{% if cookiecutter.use_celery %} worker beat{% endif %}"

# What each option adds that cookiecutter cannot leave out by itself, removed
# here when the option is answered false. Single Python files carry
# conditional names instead, which cookiecutter skips when they render empty;
# a directory cannot (an empty name is "the directory exists already"), and
# Flask's templates are copied without rendering.
OPTIONAL_PATHS = {
    "use_web_ui": (
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
    ),
    "use_api": ("{package}/api",),
}


def unchosen_paths(options, package):
    """The paths, relative to the project, of the options not chosen."""
    return [
        path.format(package=package)
        for option, paths in OPTIONAL_PATHS.items()
        if not options[option]
        for path in paths
    ]


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


NEW_SECRET = "\"$(python -c 'import secrets; print(secrets.token_urlsafe(48))')\""
# The app's own https://... address, as Heroku reports it.
PUBLIC_URL = "\"$(heroku info -s | sed -n 's/^web_url=//p')\""


def next_steps(slug, python_version, processes, use_web_ui=False):
    """The commands that run the project locally, then deploy it."""
    with_worker = "worker" in processes.split()
    run = [
        f"cd {slug}",
        f"python{python_version} -m venv .venv && . .venv/bin/activate",
        "pip install -r requirements-test.txt",
        "flask db upgrade",
        *(["flask create-admin        # an account for /admin/"] if use_web_ui else []),
        f"honcho start {processes}",
    ]
    deploy = [
        f'git init -b main && git add . && git commit -m "Start {slug}"',
        f"heroku create {slug}",
        "heroku addons:create heroku-postgresql:essential-0",
        *(["heroku addons:create heroku-redis:mini"] if with_worker else []),
        f"heroku config:set SECRET_KEY={NEW_SECRET}",
        f"heroku config:set PUBLIC_URL={PUBLIC_URL}",
        "git push heroku main",
        # Heroku starts new process types at zero dynos.
        *(["heroku ps:scale worker=1 beat=1"] if with_worker else []),
    ]
    indent = "\n    "
    return (
        f"\nYour service is ready in ./{slug}. Run it locally:\n{indent}{indent.join(run)}\n"
        f"\nDeploy it to Heroku:\n{indent}{indent.join(deploy)}\n"
    )


def is_cruft_update(command_line):
    """Whether the command that started this render is `cruft update` (or
    `cruft diff`), which render the template into a temporary directory."""
    words = command_line.split()
    for index, word in enumerate(words):
        if os.path.basename(word) == "cruft":
            return any(later in ("update", "diff") for later in words[index + 1 :])
    return False


def parent_command_line():
    """The command line of the process that runs this hook: cookiecutter, or
    cruft around it. cruft gives a hook no other sign of an update."""
    parent = os.getppid()
    try:
        return Path(f"/proc/{parent}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # no /proc (macOS): ask ps
        try:
            return subprocess.run(
                ["ps", "-o", "args=", "-p", str(parent)], capture_output=True, text=True
            ).stdout
        except OSError:
            return ""


def main():
    options = json.loads(ANSWERS)
    prune(Path.cwd(), unchosen_paths(options, PACKAGE))
    if is_cruft_update(parent_command_line()):
        return
    write_env(Path.cwd())
    print(next_steps(SLUG, PYTHON_VERSION, PROCESSES, options["use_web_ui"]))


if __name__ == "__main__":
    main()
