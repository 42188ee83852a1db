"""The rendered project: complete, well-formed, lint-clean, and its tests green."""

import ast
import itertools
import json
import re
import secrets
import stat
import subprocess
import sys
import time
import tomllib

import pytest
from packaging.specifiers import SpecifierSet

from harness import (
    OPTIONS,
    QUESTIONS,
    VARIANTS,
    find_python,
    generated_suite_env,
    load_hook,
    procfile,
    project_files,
    project_venv,
    record_figure,
    render,
    variant_name,
)

# Flask's own Jinja templates are copied as they are; everything else must
# have been rendered completely.
UNRENDERED = re.compile(r"{{|{%|{#|cookiecutter\.")
SETTING_NAMES = re.compile(r"^#? ?([A-Z_]+)=", re.MULTILINE)
ENV_LINE = re.compile(r"(#.*|[A-Z][A-Z0-9_]*='[^']*')?")
APP_JSON_KEYS = {
    "name", "description", "keywords", "website", "repository", "logo", "success_url",
    "scripts", "env", "formation", "addons", "buildpacks", "stack", "environments",
}
PACKAGE_MANAGER_FILES = ("requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock")


def test_no_template_syntax_is_left(variant):
    for path in project_files(variant):
        text = path.read_text()
        if "templates" in path.relative_to(variant).parts:
            assert "cookiecutter" not in text, path
        else:
            assert not UNRENDERED.search(text), path
        if path.suffix == ".md":  # a Jinja tag that ate a line break glues headings
            assert not re.search(r"[^\n#]#{2,} ", text), path


def test_awkward_answers_render_to_valid_files(tmp_path):
    name = "Ada's \"Quoted\" Notes & <Co> \\ 'n' \"\"\" '''"
    project = render(
        tmp_path,
        project_name=name,
        project_slug="ada-notes",
        description='Says "hi" & \\leaves',
    )
    # Heroku's limit for app.json's name is 30 characters: a longer name gives the slug.
    assert json.loads((project / "app.json").read_text())["name"] == "ada-notes"
    tomllib.loads((project / "pyproject.toml").read_text())
    init = ast.parse((project / "ada_notes" / "__init__.py").read_text())
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in init.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert constants["SERVICE_NAME"] == name
    assert constants["SERVICE_DESCRIPTION"] == 'Says "hi" & \\leaves'


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Acme's Café API", "acmes-cafe-api", "acmes_cafe_api"),
        ("Acme\u2019s Café API", "acmes-cafe-api", "acmes_cafe_api"),
        # 43 characters: cut at a word boundary to Heroku's 30
        (
            "The Quick Brown Fox Jumps Over The Lazy Dog",
            "the-quick-brown-fox-jumps-over",
            "the_quick_brown_fox_jumps_over",
        ),
        ("Über_Service: für Kunden!", "uber-service-fur-kunden", "uber_service_fur_kunden"),
        ("---", "my-service", "my_service"),
    ],
)
def test_names_people_type_derive_a_heroku_slug(tmp_path, name, slug, package):
    project = render(tmp_path, project_name=name)
    assert project.name == slug
    assert (project / package / "__init__.py").exists()
    manifest = json.loads((project / "app.json").read_text())
    assert len(manifest["name"]) <= 30
    assert manifest["name"] == (name if len(name) <= 30 else slug)
    assert_ruff_clean(project)  # a long package name must not push lines over


def test_env_is_private_fresh_and_readable_by_every_tool(default_project, tmp_path):
    env_file = default_project / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    for path in (env_file, default_project / ".env.example"):
        for line in path.read_text().splitlines():
            assert ENV_LINE.fullmatch(line), f"{path.name}: {line!r}"
            # A commented-out setting must stay valid once uncommented.
            if re.match(r"# [A-Z][A-Z0-9_]*=", line):
                assert ENV_LINE.fullmatch(line[2:]), f"{path.name}: {line!r}"
    secret = re.search(r"^SECRET_KEY='(.+)'$", env_file.read_text(), re.M).group(1)
    assert len(secret) >= 32
    other = render(tmp_path).joinpath(".env").read_text()
    assert secret not in other
    example = (default_project / ".env.example").read_text()
    assert SETTING_NAMES.findall(env_file.read_text()) == SETTING_NAMES.findall(example)


def test_heroku_sees_one_python_and_one_package_manager(default_project, tmp_path):
    assert (default_project / ".python-version").read_text() == "3.13\n"
    other = render(tmp_path, python_version="3.12")
    assert (other / ".python-version").read_text() == "3.12\n"
    present = [name for name in PACKAGE_MANAGER_FILES if (default_project / name).exists()]
    assert present == ["uv.lock"]
    assert not list(default_project.glob("requirements*"))
    settings = tomllib.loads((default_project / "pyproject.toml").read_text())
    # Not installed itself: the buildpack installs only its dependencies.
    assert "build-system" not in settings
    project = settings["project"]
    assert project["name"] == "my-service"
    allowed = SpecifierSet(project["requires-python"])
    assert all(version in allowed for version in OFFERED_PYTHONS)
    # Exact pins, sorted as `uv add` keeps them; the tools in the dev group,
    # which production installs leave out.
    for requirements in (project["dependencies"], settings["dependency-groups"]["dev"]):
        assert all(re.fullmatch(r"[A-Za-z0-9_.-]+(\[\w+\])?==[0-9][0-9A-Za-z.]*", line)
                   for line in requirements), requirements
        assert requirements == sorted(requirements, key=lambda line: line.split("==")[0].lower())
    dev = {line.split("==")[0] for line in settings["dependency-groups"]["dev"]}
    assert {"pytest", "pytest-xdist", "pytest-randomly", "ruff", "honcho"} <= dev
    assert not dev & {line.split("==")[0] for line in project["dependencies"]}


def test_procfile_names_each_process(default_project, render_variant):
    assert procfile(default_project) == {
        "web": "gunicorn --config gunicorn.conf.py wsgi:app",
        "release": "DATABASE_STATEMENT_TIMEOUT=0 flask release",
        "worker": "REMAP_SIGTERM=SIGQUIT celery --app wsgi:celery_app worker",
        "beat": "celery --app wsgi:celery_app beat",
    }
    assert list(procfile(render_variant("no-celery"))) == ["web", "release"]
    assert (default_project / ".flaskenv").read_text() == "FLASK_APP=wsgi\n"


def readme_section(project, title):
    readme = (project / "README.md").read_text()
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_gives_the_first_steps_for_the_answers(default_project, render_variant):
    # The hook's closing line points here: these are the steps to run, then deploy.
    python = QUESTIONS["python_version"]
    bare = render_variant("bare")
    run, deploy = readme_section(bare, "Run it locally"), readme_section(bare, "Deploy to Heroku")
    assert "uv sync" in run and f"Python {python}" in run
    assert "uv run flask db upgrade" in run
    assert re.search(r"uv run honcho start web +#", run)
    assert "create-admin" not in run
    assert "uv run flask create-user" in run  # every render says how to get an account
    # The branch `git push heroku main` pushes; the steps in their order.
    steps = ["git init -b main", "heroku create my-service", "git push heroku main"]
    assert [deploy.index(step) for step in steps] == sorted(deploy.index(step) for step in steps)
    # Links in mail and the accepted host names come from PUBLIC_URL.
    assert "heroku config:set PUBLIC_URL=" in deploy
    assert "redis" not in (run + deploy).lower()
    assert "ps:scale worker" not in deploy

    run = readme_section(default_project, "Run it locally")
    deploy = readme_section(default_project, "Deploy to Heroku")
    assert "uv run flask create-admin" in run
    assert "uv run honcho start web worker beat" in run
    assert "heroku addons:create heroku-redis:mini" in deploy
    # Heroku starts new process types at zero dynos.
    assert deploy.index("heroku ps:scale worker=1 beat=1") > deploy.index("git push heroku main")


def test_without_celery_nothing_of_it_is_left(render_variant):
    project = render_variant("no-celery")
    for path in project_files(project):
        text = path.read_text().lower()
        for word in ("celery", "kombu", "beat", "worker process", "task queue"):
            assert word not in text, f"{path.relative_to(project)} mentions {word!r}"
    assert not list(project.rglob("*task*"))


def test_app_json_is_a_valid_heroku_manifest(default_project):
    manifest = json.loads((default_project / "app.json").read_text())
    assert set(manifest) <= APP_JSON_KEYS
    assert manifest["env"]["SECRET_KEY"]["generator"] == "secret"
    assert manifest["env"]["APP_ENV"]["value"] == "production"
    assert manifest["addons"] == ["heroku-postgresql:essential-0", "heroku-redis:mini"]
    assert set(manifest["formation"]) == {"web", "worker", "beat"}
    assert manifest["formation"]["beat"]["quantity"] == 1  # never more than one
    assert set(manifest["formation"]) <= set(procfile(default_project))
    assert manifest["environments"]["test"]["scripts"]["test"]


def assert_ruff_clean(project):
    # Plus ruff's blank-line rules (preview only): Jinja tags that eat or
    # leave blank lines show up there. And the formatter, as the project's CI
    # and pre-commit run it, would change nothing.
    for command in (
        ["check"], ["check", "--preview", "--select", "E3"], ["format", "--check"]
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_is_ruff_clean(variant):
    assert_ruff_clean(variant)


def run_generated_suite(project, venv, database_url=None, selection=()):
    """Run the project's suite (or the tests `selection` names) on SQLite, or
    on the database at database_url, in an order of its own each time
    (pytest-randomly), whose seed a failure names: `-q` leaves out the line
    where pytest-randomly prints it."""
    started = time.monotonic()
    env = generated_suite_env(database_url)
    seed = secrets.randbelow(2**32)
    # `pytest`, as the generated README says, not `python -m pytest` (which
    # would put the project on sys.path by itself).
    result = subprocess.run(
        [
            str(venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider",
            f"--randomly-seed={seed}", *selection,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    record_figure(
        f"generated suite ({project.parent.name}, venv {venv.name[:8]}): {summary} "
        f"({time.monotonic() - started:.1f} s wall)"
    )
    assert result.returncode == 0, (
        f"seed {seed} (`pytest -n 0 --randomly-seed={seed}` repeats its order)\n"
        + result.stdout[-5000:]
        + result.stderr[-2000:]
    )
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 20
    return passed


# The combinations whose suites run: together they put each value of every
# option beside each value of every other one (the fullest, each option alone,
# the barest). Every combination is still rendered, linted, locked and booted.
SUITE_VARIANTS = ["default", "celery-only", "web-ui-only", "api-only", "bare"]


def test_the_suites_combinations_pair_every_two_options():
    chosen = [{**QUESTIONS, **VARIANTS[name]} for name in SUITE_VARIANTS]
    for first, second in itertools.combinations(OPTIONS, 2):
        pairs = {(answers[first], answers[second]) for answers in chosen}
        assert pairs == {(True, True), (True, False), (False, True), (False, False)}


# The default render's whole suite runs elsewhere, more than once: in one
# process, shuffled (test_test_isolation.py), spread over processes after
# the README's everyday changes (test_customising.py) and after a template
# update (test_cruft.py), and on Postgres below. Not here a fourth time.
SPREAD_SUITE_VARIANTS = [name for name in SUITE_VARIANTS if name != "default"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SPREAD_SUITE_VARIANTS)
def test_generated_suite_passes(render_variant, name):
    project = render_variant(name)
    run_generated_suite(project, project_venv(project))


# The versions offered for Heroku, and 3.11, where the generated code runs
# too. The default answer's render already runs on its own Python
# (project_venv takes .python-version): the others are checked here, the
# oldest offered one on Postgres.
OFFERED_PYTHONS = load_hook("pre_gen_project").SUPPORTED_PYTHONS
DEFAULT_PYTHON = QUESTIONS["python_version"]
POSTGRES_PYTHON = OFFERED_PYTHONS[0]


@pytest.mark.slow
def test_generated_suite_passes_on_postgres(tmp_path, postgres_database):
    """As the generated project's CI runs it: TEST_DATABASE_URL on a Postgres service."""
    python = find_python(POSTGRES_PYTHON)
    if python is None:
        pytest.skip(f"no python{POSTGRES_PYTHON} on this machine")
    project = render(tmp_path, python_version=POSTGRES_PYTHON)
    run_generated_suite(project, project_venv(project, python), database_url=postgres_database)


# 3.11, which the lock fits but Heroku is not offered, runs the suite of the
# hard answers' render (test_answers.py): one run for both.
@pytest.mark.slow
@pytest.mark.parametrize(
    "version", [v for v in OFFERED_PYTHONS if v not in (DEFAULT_PYTHON, POSTGRES_PYTHON)]
)
def test_generated_suite_passes_on_each_python(tmp_path, version):
    python = find_python(version)
    if python is None:
        pytest.skip(f"no python{version} on this machine")
    answers = {"python_version": version} if version in OFFERED_PYTHONS else {}
    project = render(tmp_path, **answers)
    run_generated_suite(project, project_venv(project, python))


# What use_web_ui adds. Security headers and WhiteNoise stay either way: every
# response needs the headers, and the landing page's stylesheet is static.
WEB_UI_MODULES = (
    "pages",
    "admin",
    "mail",
    "accounts/views.py",
    "accounts/templates",
    "notes/views.py",
    "notes/admin.py",
    "notes/templates",
)
# (redis stays when the worker uses it.)
WEB_UI_REQUIREMENTS = ("Flask-Admin", "Flask-Login")
WEB_UI_WORDS = re.compile(
    r"flask_login|flask_admin|Flask-Login|Flask-Admin"
    r"|PASSWORD_RESET|RESET_RATE_LIMIT|REMEMBER_|current_user|UserMixin"
    r"|/auth/|(?<!/api/v1)(?<!f\")/notes/|/admin/|sign-up|\blog in\b"
    # Mail, for the reset links: its settings, its modules, its command.
    r"|SMTP|MAIL_FROM|\bmail\.py|password reset|links in mail|create-admin"
)
# Password attempt limits guard the login form and the API's token endpoint:
# they go only when both are left out.
LIMIT_REQUIREMENTS = ("Flask-Limiter", "limits")
LIMIT_WORDS = re.compile(r"flask_limiter|Flask-Limiter|RATE_LIMIT|RATELIMIT|limits\.py")


def requirement_names(project):
    """Every package the project's uv.lock pins, its dependencies' too."""
    lock = tomllib.loads((project / "uv.lock").read_text())
    return {package["name"] for package in lock["package"] if package["name"] != project.name}


def test_the_web_ui_is_all_there_when_chosen(default_project):
    package = default_project / "my_service"
    for name in WEB_UI_MODULES:
        assert (package / name).exists(), name
    assert {name.lower() for name in WEB_UI_REQUIREMENTS} <= requirement_names(default_project)
    assert "LOGIN_RATE_LIMIT" in (default_project / ".env.example").read_text()


def test_no_trace_of_the_web_ui_when_left_out(render_variant):
    no_web_ui_project = render_variant("no-web-ui")
    package = no_web_ui_project / "my_service"
    for name in WEB_UI_MODULES:
        assert not (package / name).exists(), name
    for folder in ("admin", "pages", "mail"):
        assert not (no_web_ui_project / "tests" / folder).exists(), folder
    assert not requirement_names(no_web_ui_project) & {
        name.lower() for name in WEB_UI_REQUIREMENTS
    }
    for path in project_files(no_web_ui_project):
        if path.suffix in (".py", ".txt", ".md", ".html", ".css", ".js", ".json", ".example"):
            match = WEB_UI_WORDS.search(path.read_text())
            assert not match, f"{path.relative_to(no_web_ui_project)}: {match.group(0)!r}"
    assert {"whitenoise"} <= requirement_names(no_web_ui_project)
    assert (package / "platform" / "security.py").exists()


@pytest.mark.parametrize("name", ["web-ui-only", "api-only", "celery-only"])
def test_password_attempt_limits_come_with_logins_or_tokens(render_variant, name):
    project = render_variant(name)
    wanted = name != "celery-only"
    # And what the pages and the API share: the password check, the notes' owner.
    for module in ("accounts/limits.py", "accounts/passwords.py", "notes/ownership.py"):
        assert (project / "my_service" / module).exists() is wanted, module
    limit_requirements = {requirement.lower() for requirement in LIMIT_REQUIREMENTS}
    assert (limit_requirements <= requirement_names(project)) is wanted
    if not wanted:
        assert not requirement_names(project) & limit_requirements
        for path in project_files(project):
            match = LIMIT_WORDS.search(path.read_text())
            assert not match, f"{path.relative_to(project)}: {match.group(0)!r}"


@pytest.mark.slow
def test_the_hook_knows_every_module_the_project_installs(render_variant):
    """A package named like an installed module would shadow it: the pre-gen
    hook must refuse every top-level name the venv of a render with every
    option has, and list no other (but the project's own files)."""
    everything = render_variant(variant_name(dict.fromkeys(OPTIONS, True)))
    listing = subprocess.run(
        [str(project_venv(everything) / "bin" / "python"), "-c", TOP_LEVEL_NAMES],
        capture_output=True,
        text=True,
        check=True,
    )
    names = listing.stdout.split()
    installed = {name for name in names if name.isidentifier() and not name.startswith("__")}
    taken = load_hook("pre_gen_project").TAKEN_MODULE_NAMES
    assert installed - taken == set()
    assert taken - installed == PROJECTS_OWN_NAMES


PROJECTS_OWN_NAMES = {"manage", "migrations", "tests", "wsgi"}
# Printed by the project's own Python: the top-level module of each installed
# distribution, from top_level.txt or, without one, from its file list.
TOP_LEVEL_NAMES = """
import importlib.metadata as metadata
for dist in metadata.distributions():
    listed = dist.read_text("top_level.txt")
    if listed:
        print(listed)
        continue
    for file in dist.files or []:
        top = file.parts[0]
        if len(file.parts) == 1 and top.endswith(".py"):
            print(top[:-3])
        elif len(file.parts) > 1 and ".dist-info" not in top and top not in ("..", "bin"):
            print(top)
"""
