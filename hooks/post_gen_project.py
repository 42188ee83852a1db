"""Finish the generated project: prune what was not chosen, a private .env,
then the next steps. On a `cruft update` only the pruning: that render is a
scratch copy to diff against, not a project anyone runs."""

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

# All the answers, as JSON in a raw string (see pre_gen_project.py).
ANSWERS = r"""{{ cookiecutter | tojson }}"""

# Each optional feature's files, removed when the answers leave it out. This
# is the one way a feature is left out: no file carries a conditional name.
FEATURE_PATHS = {
    "web_ui": (
        "{package}/pages",
        "{package}/admin",
        "{package}/accounts/views.py",
        "{package}/accounts/forms.py",
        "{package}/accounts/reset.py",
        "{package}/accounts/sessions.py",
        "{package}/accounts/templates",
        "{package}/notes/views.py",
        "{package}/notes/forms.py",
        "{package}/notes/admin.py",
        "{package}/notes/templates",
        "{package}/static/pages.css",
        "{package}/static/admin-confirm.js",
        "tests/accounts/test_views.py",
        "tests/accounts/test_password_reset.py",
        "tests/accounts/test_outages.py",
        "tests/admin",
        "tests/notes/test_views.py",
        "tests/pages",
    ),
    "mail": ("{package}/mail", "tests/mail"),
    "api": (
        "{package}/api",
        "{package}/notes/api.py",
        "{package}/notes/schemas.py",
        "migrations/versions/0003_create_api_tokens.py",
        "migrations/versions/0005_tie_api_tokens_to_logins.py",
        "tests/api",
        "tests/notes/test_api.py",
    ),
    "worker": ("{package}/worker", "tests/worker"),
    "authentication": ("{package}/accounts/passwords.py", "tests/accounts/test_passwords.py"),
    "limits": ("{package}/accounts/limits.py", "tests/accounts/test_limits.py"),
    "ownership": ("{package}/notes/ownership.py",),
    "redis_connection": (
        "{package}/platform/redis_client.py",
        "tests/platform/test_redis_client.py",
    ),
    "mail_queue": ("{package}/mail/queue.py", "tests/worker/test_mail_queue.py"),
}


def chosen_features(answers):
    """Which features the answers choose: one part an option, and the parts
    options share. The templated files ask templates/parts.jinja, which says
    the same (a template test compares the two)."""
    web_ui, api, worker = answers["use_web_ui"], answers["use_api"], answers["use_celery"]
    return {
        "web_ui": web_ui,
        "api": api,
        "worker": worker,
        "mail": web_ui,  # password reset links
        "authentication": web_ui or api,  # a password, through a form or the API
        "limits": web_ui or api,  # password guessing, likewise
        "ownership": web_ui or api,  # each account's own notes, pages or API
        "redis_connection": web_ui or api or worker,
        "mail_queue": web_ui and worker,  # mail sent by the worker
    }


def unchosen_paths(answers, package):
    """The paths, relative to the project, of the features left out."""
    chosen = chosen_features(answers)
    return [
        path.format(package=package)
        for feature, paths in FEATURE_PATHS.items()
        if not chosen[feature]
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


def next_steps(slug, python_version, answers):
    """The commands that run the project locally, then deploy it."""
    with_worker = answers["use_celery"]
    # The Procfile's long-running processes: what `honcho start` should run.
    processes = "web worker beat" if with_worker else "web"
    run = [
        f"cd {slug}",
        f"python{python_version} -m venv .venv && . .venv/bin/activate",
        "pip install -r requirements-test.txt",
        "flask db upgrade",
        *(["flask create-admin        # an account for /admin/"] if answers["use_web_ui"] else []),
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
    answers = json.loads(ANSWERS)
    prune(Path.cwd(), unchosen_paths(answers, answers["package_name"]))
    if is_cruft_update(parent_command_line()):
        return
    write_env(Path.cwd())
    print(next_steps(answers["project_slug"], answers["python_version"], answers))


if __name__ == "__main__":
    main()
