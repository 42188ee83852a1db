"""Finish the generated project: prune what was not chosen, a private .env,
then the next steps. On a `cruft update` only the pruning: that render is a
scratch copy to diff against, not a project anyone runs."""

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

# All the answers, and the template's table of parts (`_parts` in
# cookiecutter.json), as JSON in a raw string (see pre_gen_project.py).
ANSWERS = r"""{{ cookiecutter | tojson }}"""


def wanted(rule, answers):
    """Whether a part's `when` rule (cookiecutter.json's `_parts`) holds for
    these answers: one option's name, {"any": [...]} or {"all": [...]} of
    several; no rule (None) for a part in every render."""
    if rule is None:
        return True
    if isinstance(rule, str):
        return bool(answers[rule])
    if "any" in rule:
        return any(answers[option] for option in rule["any"])
    return all(answers[option] for option in rule["all"])


def chosen_parts(answers):
    """{part: whether the answers choose it}, in `_parts`' order. The
    templated files ask templates/parts.jinja, which reads the same rules
    (a template test compares the two)."""
    return {name: wanted(part.get("when"), answers) for name, part in answers["_parts"].items()}


def unchosen_paths(answers, package):
    """The paths, relative to the project, of the parts left out. This is
    the one way a part is left out: no file carries a conditional name."""
    chosen = chosen_parts(answers)
    return [
        path.format(package=package)
        for name, part in answers["_parts"].items()
        if not chosen[name]
        for path in part.get("paths", ())
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
    parts = chosen_parts(answers)
    with_worker = parts["worker"]
    # The Procfile's long-running processes: what `honcho start` should run.
    processes = "web worker beat" if with_worker else "web"
    run = [
        f"cd {slug}",
        "pip install uv            # once, without uv (or uv's installer: docs.astral.sh/uv)",
        f"uv sync                   # Python {python_version} and uv.lock's packages, in .venv",
        "uv run flask db upgrade",
        *(["uv run flask create-admin  # an account for /admin/"] if parts["web_ui"] else []),
        f"uv run honcho start {processes}",
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
