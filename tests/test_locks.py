"""The locks: one a combination of options, made by `make locks` from the
dependencies each part declares (cookiecutter.json's `_parts`), fresh
against those declarations, rendered as the project's uv.lock, accepted by
`uv lock --check` and installed by `uv sync --locked`."""

import os
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from harness import (
    OPTIONS,
    QUESTIONS,
    UV,
    VARIANTS,
    heroku_venv,
    load_hook,
    project_venv,
    render,
    uv_environ,
)

locks = load_hook("locks", folder=".")
post_gen = load_hook("post_gen_project")
pre_gen = load_hook("pre_gen_project")
COMBINATIONS = list(locks.every_combination())


def lock_id(answers):
    return locks.lock_name(answers)


def stored_lock(answers, slug=locks.SLUG):
    """The stored lock of these answers, parsed, as a render named `slug` has it."""
    text = (locks.LOCKS / f"{locks.lock_name(answers)}.lock").read_text()
    return tomllib.loads(locks.for_slug(text, slug))


def root_package(lock, slug=locks.SLUG):
    [root] = [package for package in lock["package"] if package["name"] == slug]
    return root


def declared(answers):
    """(runtime, dev): the requirements of the parts these answers choose,
    as {name: (extras, specifier)}."""
    chosen = post_gen.chosen_parts({**QUESTIONS, **answers})
    runtime, dev = {}, {}
    for name, part in QUESTIONS["_parts"].items():
        if chosen[name]:
            for kind, found in (("dependencies", runtime), ("dev", dev)):
                for line in part.get(kind, ()):
                    requirement = Requirement(line)
                    found[canonicalize_name(requirement.name)] = (
                        sorted(requirement.extras),
                        str(requirement.specifier),
                    )
    return runtime, dev


def as_locked(entries):
    return {
        entry["name"]: (sorted(entry.get("extras", [])), entry["specifier"]) for entry in entries
    }


def test_each_package_has_one_pin_across_the_parts():
    pins = {}
    for part in QUESTIONS["_parts"].values():
        for line in (*part.get("dependencies", ()), *part.get("dev", ())):
            pins.setdefault(canonicalize_name(Requirement(line).name), set()).add(line)
    assert {name: lines for name, lines in pins.items() if len(lines) > 1} == {}
    # Exact pins, as uv.lock then resolves them.
    assert all(line.count("==") == 1 for lines in pins.values() for line in lines)


def test_every_combination_has_a_lock_and_each_variant_names_its_own():
    names = {locks.lock_name(answers) for answers in COMBINATIONS}
    assert len(names) == 2 ** len(OPTIONS) == len(VARIANTS)
    assert {locks.lock_name({**QUESTIONS, **VARIANTS[name]}) for name in VARIANTS} == names
    # And none left over from an option that is gone.
    assert {path.name for path in locks.LOCKS.iterdir()} == {f"{name}.lock" for name in names}


@pytest.mark.parametrize("answers", COMBINATIONS, ids=lock_id)
def test_locks_are_fresh_against_the_declarations(answers):
    """A dependency edited in cookiecutter.json's `_parts` without
    `make locks` fails here."""
    root = root_package(stored_lock(answers))
    runtime, dev = declared(answers)
    assert as_locked(root["metadata"]["requires-dist"]) == runtime, "run make locks"
    assert as_locked(root["metadata"]["requires-dev"]["dev"]) == dev, "run make locks"


@pytest.mark.parametrize("answers", COMBINATIONS, ids=lock_id)
def test_every_locked_file_has_its_hash_for_every_offered_python(answers):
    lock = stored_lock(answers)
    allowed = SpecifierSet(lock["requires-python"])
    assert all(version in allowed for version in pre_gen.SUPPORTED_PYTHONS)
    # Universal: no platform or Python left out of the resolution.
    assert not {"supported-markers", "required-markers"} & set(lock.get("manifest", {}))
    for package in lock["package"]:
        if package["name"] == locks.SLUG:
            assert package["source"] == {"virtual": "."}  # not installed itself
            continue
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files, package["name"]
        for file in files:
            assert file["hash"].startswith("sha256:"), (package["name"], file)


@pytest.mark.parametrize("answers", COMBINATIONS, ids=lock_id)
def test_a_lock_holds_no_jinja_but_the_projects_name(answers):
    text = (locks.LOCKS / f"{locks.lock_name(answers)}.lock").read_text()
    placeholder = f'\nname = "{locks.PLACEHOLDER}"\n'
    assert text.count(placeholder) == 1
    assert not locks.JINJA.search(text.replace(placeholder, ""))


@pytest.mark.parametrize("variant_name", list(VARIANTS))
def test_the_rendered_lock_is_the_variants_stored_lock(render_variant, variant_name):
    variant = render_variant(variant_name)
    answers = {**QUESTIONS, **VARIANTS[variant_name]}
    stored = (locks.LOCKS / f"{locks.lock_name(answers)}.lock").read_text()
    assert (variant / "uv.lock").read_text() == locks.for_slug(stored, "my-service")


def uv_lock_check(project):
    # Any Python requires-python allows checks the same universal lock;
    # the project's own need not be on this machine. No network: the
    # lock alone must answer.
    return subprocess.run(
        [UV, "lock", "--check", "--offline", "--python", sys.executable],
        cwd=project, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True, text=True,
    )


@pytest.mark.parametrize("variant_name", list(VARIANTS))
def test_uv_finds_each_renders_lock_up_to_date(render_variant, variant_name):
    """What Heroku's `uv sync --locked` checks before it installs anything."""
    result = uv_lock_check(render_variant(variant_name))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("slug", ["a", "harbor-tide-booking", "zz--top"])
def test_the_lock_follows_any_slug(tmp_path, slug):
    # Sorted first, among or last of the packages, and a name uv normalizes.
    project = render(tmp_path, project_slug=slug, use_celery=False)
    assert tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"] == slug
    result = uv_lock_check(project)
    assert result.returncode == 0, result.stderr
    # In uv's order, by name: the project's first `uv add` moves nothing else.
    lock = tomllib.loads((project / "uv.lock").read_text())
    names = [package["name"] for package in lock["package"]]
    assert names == sorted(names)


@pytest.mark.slow
def test_the_runtime_packages_install_as_herokus_buildpack_does(default_project, tmp_path):
    # uv sync --locked --no-default-groups into a new venv, then uv pip check.
    venv = heroku_venv(default_project, tmp_path / "venv")
    assert (venv / "bin" / "gunicorn").exists()
    assert (venv / "bin" / "celery").exists()
    # The dev group is left out of a production slug.
    for tool in ("pytest", "ruff", "honcho"):
        assert not (venv / "bin" / tool).exists(), tool


@pytest.mark.slow
def test_each_variants_venv_is_exactly_its_lock(variant):
    # project_venv runs uv sync --locked with every group, then uv pip check.
    venv = project_venv(variant)
    python = str(venv / "bin" / "python")
    result = subprocess.run(
        [UV, "sync", "--locked", "--all-groups", "--check", "--python", python],
        cwd=variant, env=uv_environ(venv), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    check = subprocess.run(
        [UV, "pip", "check", "--python", python], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    for tool in ("pytest", "ruff", "honcho", "gunicorn"):
        assert (venv / "bin" / tool).exists(), tool
