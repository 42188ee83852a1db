"""Lock each combination of the template's options: `make locks`.

cookiecutter.json's `_parts` declares each part's direct dependencies and
test tools, and the rule that chooses the part from the answers; a render's
pyproject.toml lists those of its chosen parts. For every combination of
the options (the `use_` questions) this renders the template, runs
`uv lock` in the render, and stores the lock as
templates/locks/<options>.lock, which the render's uv.lock includes. uv
locks for every platform and every Python that `requires-python` allows,
each file of each release with its hash, so one lock serves Heroku's Linux
and a developer's Mac alike.

The stored lock names the project by a Jinja placeholder: the render puts
its own slug there. Nothing else in a lock may look like Jinja.

Pins already in a stored lock are kept while they still fit;
UPGRADE=1 moves every transitive pin to its newest release.
"""

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent
LOCKS = TEMPLATE_DIR / "templates" / "locks"
QUESTIONS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
# The yes/no questions, in cookiecutter.json's order: one lock a combination.
OPTIONS = [
    key for key, value in QUESTIONS.items() if key.startswith("use_") and isinstance(value, bool)
]
SLUG = "my-service"  # the default render's, replaced by the placeholder
PLACEHOLDER = "{{ cookiecutter.project_slug }}"
JINJA = re.compile(r"{{|{%|{#")


def lock_name(answers):
    """The stored lock's file name stem for these answers, as
    templates/parts.jinja computes it: the options chosen, or "bare"."""
    return "-".join(option.removeprefix("use_") for option in OPTIONS if answers[option]) or "bare"


def every_combination():
    """{option: True or False} for each combination of the options."""
    for flags in itertools.product((True, False), repeat=len(OPTIONS)):
        yield dict(zip(OPTIONS, flags, strict=True))


def stored(lock_text):
    """A uv.lock of the project named SLUG, with its name as the placeholder."""
    if JINJA.search(lock_text):
        raise ValueError("the lock holds text Jinja would read as a tag")
    root = f'name = "{SLUG}"\n'
    if lock_text.count(root) != 1 or lock_text.count(SLUG) != 1:
        raise ValueError(f"the lock should name {SLUG!r} once, as its root package")
    return lock_text.replace(root, f'name = "{PLACEHOLDER}"\n')


def for_slug(stored_text, slug):
    """A stored lock as a render whose slug is `slug` has it."""
    return stored_text.replace(PLACEHOLDER, slug)


def uv(*arguments, cwd):
    """Run uv from the template's venv; it never downloads a Python."""
    environ = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    return subprocess.run(
        [sys.executable, "-m", "uv", *arguments], cwd=cwd, env=environ, check=True
    )


def lock(answers, upgrade=False):
    """Render these answers, lock the render, store its lock; the lock text."""
    path = LOCKS / f"{lock_name(answers)}.lock"
    if not path.exists():
        path.write_text("")  # the render includes it: a first lock starts from nothing
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(
            cookiecutter(
                str(TEMPLATE_DIR),
                no_input=True,
                extra_context={**answers, "project_slug": SLUG},
                output_dir=scratch,
                accept_hooks=False,
            )
        )
        lock_file = project / "uv.lock"
        if not lock_file.read_text().strip():
            lock_file.unlink()
        # Any Python that requires-python allows resolves the same
        # universal lock: the one running this script will do.
        uv("lock", "--quiet", "--python", sys.executable, *(["--upgrade"] if upgrade else []),
           cwd=project)
        text = stored(lock_file.read_text())
    path.write_text(text)
    return text


def main():
    LOCKS.mkdir(parents=True, exist_ok=True)
    upgrade = os.environ.get("UPGRADE") == "1"
    for answers in every_combination():
        text = lock(answers, upgrade)
        print(f"{lock_name(answers)}: {text.count('[[package]]') - 1} packages locked")


if __name__ == "__main__":
    main()
