"""A project made with `cruft create` from an older commit of the template
takes a newer commit with `cruft update`: cleanly, and still green."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness import TEMPLATE_DIR, generated_suite_env, project_venv

pytestmark = pytest.mark.slow

CRUFT = str(Path(sys.executable).parent / "cruft")
# What a clone of the template holds: no local environments or outputs.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", ".cache", "build", "__pycache__", ".pytest_cache", ".ruff_cache"
)
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com",
}
# The template's newer commit: a line in the generated README, a new file.
README_ADDITION = "\nOn call: see the runbook in docs/runbook.md.\n"
RUNBOOK = "# Runbook\n\nRestart with `heroku ps:restart`.\n"


def run(command, cwd):
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, **GIT_IDENTITY},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def commit_all(repo, message):
    run(["git", "add", "--all"], repo)
    run(["git", "commit", "--quiet", "--no-verify", "-m", message], repo)


def test_cruft_update_applies_a_template_change_cleanly(tmp_path):
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, template, ignore=NOT_IN_A_CLONE)
    run(["git", "init", "--quiet", "-b", "main"], template)
    commit_all(template, "The older template")

    created = run([CRUFT, "create", "--no-input", "--output-dir", str(tmp_path), str(template)],
                  tmp_path)
    assert 'Next steps for my-service: its README.md, "Run it locally"' in created
    project = tmp_path / "my-service"
    secret = (project / ".env").read_text()
    run(["git", "init", "--quiet", "-b", "main"], project)
    commit_all(project, "Start my-service")
    run([CRUFT, "check"], project)

    generated_readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    generated_readme.write_text(generated_readme.read_text() + README_ADDITION)
    (template / "{{cookiecutter.project_slug}}" / "docs").mkdir(exist_ok=True)
    (template / "{{cookiecutter.project_slug}}" / "docs" / "runbook.md").write_text(RUNBOOK)
    commit_all(template, "The newer template")

    updated = run([CRUFT, "update", "--skip-apply-ask"], project)
    # The scratch renders print the same closing line, which tells no one to
    # create the project again: the steps stay in the README.
    assert "heroku create" not in updated
    assert "git init" not in updated
    assert (project / "README.md").read_text().endswith(README_ADDITION)
    assert (project / "docs" / "runbook.md").read_text() == RUNBOOK
    assert (project / ".env").read_text() == secret  # untouched, still private
    assert not list(project.rglob("*.rej"))
    # cruft applies the change with `git apply -3`, which stages it.
    changed = run(["git", "status", "--porcelain"], project).split("\n")
    assert sorted(line for line in changed if line) == [
        " M .cruft.json", "A  docs/runbook.md", "M  README.md",
    ]
    assert "<<<<<<<" not in run(["git", "diff", "HEAD"], project)
    run([CRUFT, "check"], project)

    # On SQLite, spread over processes: the change touched no code, and the
    # suite's Postgres run is test_render.py's.
    tests = subprocess.run(
        [str(project_venv(project) / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=project, capture_output=True, text=True, timeout=600,
        env=generated_suite_env(),
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
