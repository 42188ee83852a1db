"""The files a generated project's developers and its CI read: every YAML and
JSON file well-formed, the workflow and Dependabot config valid against their
published schemas, pre-commit's config valid, and the tools set to the
project's Python and its pinned ruff."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from harness import render

BIN = Path(sys.executable).parent
SCHEMAS = {
    ".github/workflows/ci.yml": "vendor.github-workflows",
    ".github/dependabot.yml": "vendor.dependabot",
}


def text_files(project):
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            yield path


def test_every_yaml_and_json_file_is_well_formed(variant):
    for path in text_files(variant):
        if path.suffix in (".yml", ".yaml"):
            assert yaml.safe_load(path.read_text()), path
        elif path.suffix == ".json":
            assert json.loads(path.read_text()), path


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_github_files_match_their_published_schemas(variant, name):
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", SCHEMAS[name], name],
        cwd=variant, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_is_valid_and_runs_the_pinned_ruff(variant):
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=variant, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((variant / ".pre-commit-config.yaml").read_text())
    [ruff_repo] = config["repos"]
    assert {hook["id"] for hook in ruff_repo["hooks"]} == {"ruff-check", "ruff-format"}
    lock = tomllib.loads((variant / "uv.lock").read_text())
    [locked] = [package["version"] for package in lock["package"] if package["name"] == "ruff"]
    assert ruff_repo["rev"] == f"v{locked}"


def test_dependabot_updates_the_lock_and_the_actions(default_project):
    config = yaml.safe_load((default_project / ".github" / "dependabot.yml").read_text())
    assert [update["package-ecosystem"] for update in config["updates"]] == [
        "uv", "github-actions",
    ]


def workflow(project):
    return yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())


def test_ci_installs_the_lock_with_uv_and_runs_the_tools_from_it(default_project):
    steps = workflow(default_project)["jobs"]["test"]["steps"]
    # The official action, at an exact release; uv takes .python-version.
    [setup] = [step for step in steps if step.get("uses", "").startswith("astral-sh/setup-uv@")]
    assert re.fullmatch(r"astral-sh/setup-uv@v\d+\.\d+\.\d+", setup["uses"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", setup["with"]["version"])
    assert not [step for step in steps if "setup-python" in step.get("uses", "")]
    commands = [step.get("run", "").strip() for step in steps]
    assert "uv sync --locked" in commands
    assert "uv run ruff check .\nuv run ruff format --check ." in commands
    assert "pip" not in "\n".join(commands)


@pytest.mark.parametrize(
    ("variant_name", "services"),
    # Redis where attempts are counted (the pages or the API): its tests need one.
    [
        ("default", {"postgres", "redis"}),
        ("no-web-ui", {"postgres", "redis"}),
        ("celery-only", {"postgres"}),
        ("bare", {"postgres"}),
    ],
)
def test_ci_runs_the_suite_on_sqlite_then_on_the_services_it_needs(
    render_variant, variant_name, services
):
    job = workflow(render_variant(variant_name))["jobs"]["test"]
    assert set(job["services"]) == services
    sqlite, real_services = [step for step in job["steps"] if step.get("run") == "uv run pytest"]
    assert "env" not in sqlite
    real = real_services["env"]
    assert real["TEST_DATABASE_URL"].startswith("postgresql://postgres:postgres@localhost:5432/")
    assert ("TEST_REDIS_URL" in real) == ("redis" in services)


def test_heroku_ci_uses_in_dyno_services(render_variant):
    for name, redis in (("default", True), ("no-web-ui", True), ("celery-only", False)):
        test = json.loads((render_variant(name) / "app.json").read_text())["environments"]["test"]
        assert set(test) <= {"env", "addons", "scripts", "formation", "buildpacks"}
        expected = ["heroku-postgresql:in-dyno", *(["heroku-redis:in-dyno"] if redis else [])]
        assert test["addons"] == expected
        assert 'TEST_DATABASE_URL="$DATABASE_URL"' in test["scripts"]["test"]
        assert ('TEST_REDIS_URL="$REDIS_URL"' in test["scripts"]["test"]) == redis


@pytest.mark.parametrize("version", ["3.12", "3.13", "3.14"])
def test_ruff_targets_the_projects_python(tmp_path, version):
    project = render(tmp_path, python_version=version)
    settings = tomllib.loads((project / "pyproject.toml").read_text())
    assert settings["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout


def test_files_keep_to_the_editorconfig(variant):
    assert "root = true" in (variant / ".editorconfig").read_text()
    for path in text_files(variant):
        text = path.read_text()
        name = path.relative_to(variant)
        assert not text or text.endswith("\n"), f"{name}: no final newline"
        assert not re.search(r"[ \t]+$", text, re.M), f"{name}: trailing whitespace"
        assert "\t" not in text, f"{name}: a tab"
        assert "\r" not in text, f"{name}: a CR"


def test_cruft_leaves_the_private_env_alone(default_project):
    settings = tomllib.loads((default_project / "pyproject.toml").read_text())
    assert settings["tool"]["cruft"]["skip"] == [".env", "migrations/versions"]
    assert "*.rej" in (default_project / ".gitignore").read_text().splitlines()
