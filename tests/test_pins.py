"""The hashed pins: fresh from requirements/*.in, one lock per combination of
options, rendered into requirements.txt, installable with --require-hashes."""

import re
import subprocess

import pytest

from harness import VARIANTS, load_hook, pip_venv, project_venv

pins = load_hook("pins", folder="requirements")


def chosen(variant_name):
    answers = {"use_celery": True, "use_web_ui": True, "use_api": True, **VARIANTS[variant_name]}
    return {option for option in pins.OPTIONS if answers[f"use_{option}"]}


def test_each_package_has_one_pin_across_the_option_files():
    assert pins.disagreements(pins.direct_pins(sorted(pins.SOURCES.glob("*.in")))) == []


def test_the_disagreement_check_names_the_package():
    found = pins.disagreements({"redis": {"redis==8.1.0", "redis==8.2.0"}, "flask": {"Flask==3"}})
    assert found == ["redis: redis==8.1.0 / redis==8.2.0"]


def test_every_combination_has_a_lock_and_each_variant_names_its_own():
    names = {pins.lock_name(options) for options in pins.every_combination()}
    assert len(names) == 2 ** len(pins.OPTIONS)
    assert {pins.lock_name(chosen(name)) for name in VARIANTS} == names
    for name in names:
        assert (pins.PINS / f"{name}.txt").is_file(), "run make pins"
        assert (pins.PINS / f"{name}-test.txt").is_file(), "run make pins"


@pytest.mark.parametrize("options", list(pins.every_combination()), ids=pins.lock_name)
def test_locks_are_fresh_and_every_pin_has_hashes(options):
    """A direct dependency edited in requirements/*.in without `make pins` fails here."""
    name = pins.lock_name(options)
    for kind, lock in (("runtime", f"{name}.txt"), ("test", f"{name}-test.txt")):
        blocks = pins.requirement_blocks((pins.PINS / lock).read_text())
        for package, lines in pins.direct_pins(pins.sources(kind, options)).items():
            version = next(iter(lines)).split("==")[1]
            pinned = [group[0] for group in blocks.get(package, [])]
            assert pinned, f"{lock}: {package} is missing: run make pins"
            assert all(f"=={version}" in line for line in pinned), f"{lock}: {pinned}"
        for group in blocks.values():
            for lines in group:
                assert re.search(r"==\S+", lines[0]), lines[0]
                assert any("--hash=sha256:" in line for line in lines[1:]), lines[0]


def test_runtime_and_test_locks_share_no_package():
    for options in pins.every_combination():
        name = pins.lock_name(options)
        runtime = pins.requirement_blocks((pins.PINS / f"{name}.txt").read_text())
        test = pins.requirement_blocks((pins.PINS / f"{name}-test.txt").read_text())
        assert set(runtime).isdisjoint(test), name


@pytest.mark.parametrize("variant_name", list(VARIANTS))
def test_the_rendered_requirements_are_the_variants_locks(render_variant, variant_name):
    variant = render_variant(variant_name)
    name = pins.lock_name(chosen(variant_name))
    requirements = (variant / "requirements.txt").read_text()
    assert requirements.endswith((pins.PINS / f"{name}.txt").read_text() + "\n")
    test_requirements = (variant / "requirements-test.txt").read_text()
    assert "-r requirements.txt\n" in test_requirements
    assert test_requirements.endswith((pins.PINS / f"{name}-test.txt").read_text() + "\n")


@pytest.mark.slow
def test_the_runtime_pins_install_with_pip_as_herokus_buildpack_does(default_project, tmp_path):
    # The other venvs are installed by uv, which checks the same hashes.
    venv = pip_venv(default_project, tmp_path / "venv")
    assert (venv / "bin" / "gunicorn").exists()


@pytest.mark.slow
def test_each_variants_pins_install_with_require_hashes_and_pip_check(variant):
    # project_venv installs with --require-hashes and runs pip check.
    venv = project_venv(variant)
    check = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    freeze = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all"],
        capture_output=True, text=True, check=True,
    )
    installed = {line.split("==")[0].lower().replace("_", "-") for line in freeze.stdout.split()}
    pinned = [
        line.rstrip(" \\")
        for name in ("requirements.txt", "requirements-test.txt")
        for line in (variant / name).read_text().splitlines()
        if line and not line.startswith(("#", "-r", " "))
    ]
    # Each pin whose marker (Windows, an older Python) fits the venv's Python.
    applicable = subprocess.run(
        [str(venv / "bin" / "python"), "-c", APPLICABLE_PINS],
        input="\n".join(pinned), capture_output=True, text=True, check=True,
    )
    required = {name.replace("_", "-") for name in applicable.stdout.split()}
    assert required <= installed


# Run by the venv's own Python, with the packaging library pip carries.
APPLICABLE_PINS = """
import sys
from pip._vendor.packaging.requirements import Requirement
for line in sys.stdin.read().splitlines():
    requirement = Requirement(line)
    if requirement.marker is None or requirement.marker.evaluate():
        print(requirement.name.lower())
"""
