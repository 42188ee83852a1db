"""Finish the generated project: prune what was not chosen, write a private
.env, and point to the README's first steps.

Every render is finished the same way, `cruft update`'s scratch copies too:
their .env is thrown away with them (cruft skips .env, so a project's own is
never touched), and the closing line is true of any render."""

import json
import secrets
import shutil
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


# The README's sections that run the project, then deploy it. The steps live
# there, with the answers filled in, where they can be read again later.
README_SECTIONS = ("Run it locally", "Deploy to Heroku")


def next_steps(slug):
    """The closing line: where the next steps are. It does not say the
    project is new, as a cruft update renders scratch copies too."""
    run, deploy = README_SECTIONS
    return f'\nNext steps for {slug}: its README.md, "{run}" then "{deploy}".\n'


def main():
    answers = json.loads(ANSWERS)
    prune(Path.cwd(), unchosen_paths(answers, answers["package_name"]))
    write_env(Path.cwd())
    print(next_steps(answers["project_slug"]))


if __name__ == "__main__":
    main()
