"""Any answer a person would type renders a green project: names and
descriptions with apostrophes, quotes, backslashes, other scripts, emoji, the
longest slug, a description of a few hundred characters.

A fixed set of hard answers renders and runs the project's whole suite;
Hypothesis samples other answers on each run, each render linted and its
landing page and API documents checked for the text exactly as typed.
"""

import ast
import contextlib
import io
import subprocess

import pytest
from cookiecutter.exceptions import FailedHookException
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness import find_python, generated_suite_env, project_venv, render, skip_or_fail

pytestmark = pytest.mark.slow

LONG_DESCRIPTION = (
    'Bookings for the harbour\'s moorings, with "quoted" words, a back\\slash, '
    "Zürich, 東京 and Αθήνα, and an emoji or two 🚢⚓: " + "a sentence that goes on, " * 16
).strip()
# Every hard thing at once, in one render whose whole suite runs.
HARD_ANSWERS = {
    "project_name": 'Pilot\'s "Harbour" \\ 東京 Log, Ålesund 🛩️',
    "project_slug": "a" + "-b" * 14 + "c",  # the longest slug: 30 characters
    "description": LONG_DESCRIPTION + " '''\"\"\" \\n \\u0041 <b>bold</b> & {braces} 100%",
}


def render_quietly(tmp_path, **answers):
    with contextlib.redirect_stdout(io.StringIO()):  # the next steps
        return render(tmp_path, **answers)


def service_constants(project):
    """SERVICE_NAME and SERVICE_DESCRIPTION as Python reads them: a literal,
    or a long one joined from its pieces ("".join([...]))."""
    package = next(project.glob("*/__init__.py"))
    constants = {}
    for node in ast.parse(package.read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id.startswith("SERVICE_"):
            value = node.value
            if isinstance(value, ast.Call):
                constants[node.targets[0].id] = "".join(ast.literal_eval(value.args[0]))
            else:
                constants[node.targets[0].id] = ast.literal_eval(value)
    return constants


def lint(project, venv):
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = subprocess.run(
            [str(venv / "bin" / command[0]), *command[1:]],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# The oldest Python the lock fits (not one offered for Heroku): the renders
# here run on it, so that their suite also proves the code does.
OLDEST_PYTHON = "3.11"


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """One venv serves every render: the answers change no dependency."""
    python = find_python(OLDEST_PYTHON)
    if python is None:
        skip_or_fail(f"no python{OLDEST_PYTHON} on this machine")
    return project_venv(render_quietly(tmp_path_factory.mktemp("venv")), python)


def test_hard_answers_render_a_green_project(tmp_path, venv):
    answers = HARD_ANSWERS
    project = render_quietly(tmp_path, **answers)
    assert service_constants(project) == {
        "SERVICE_NAME": answers["project_name"],
        "SERVICE_DESCRIPTION": answers["description"],
    }
    lint(project, venv)
    suite = subprocess.run(
        [str(venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env=generated_suite_env(),
    )
    assert suite.returncode == 0, suite.stdout[-4000:]


# Printable text (the hook refuses control characters), any script, emoji.
typed_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=400
)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=typed_text, description=typed_text)
def test_any_typed_answers_render_lint_clean_with_the_text_as_typed(
    tmp_path_factory, venv, name, description
):
    assume(name.strip() and name.isprintable() and description.isprintable())
    # cookiecutter renders answers given on its command line as templates
    # (not those typed at its prompts): no Jinja markers here.
    assume(not any(marker in name + description for marker in ("{{", "{%", "{#")))
    try:
        project = render_quietly(
            tmp_path_factory.mktemp("typed"), project_name=name, description=description
        )
    except FailedHookException:
        # A name whose slug the pre-generation hook refuses (it names the
        # problem and leaves nothing behind: test_bad_answers.py).
        assume(False)
    assert service_constants(project) == {"SERVICE_NAME": name, "SERVICE_DESCRIPTION": description}
    lint(project, venv)
    pages = subprocess.run(
        [
            str(venv / "bin" / "pytest"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "tests/platform/test_home.py",
            "tests/api/test_api_contract.py",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=generated_suite_env(),
    )
    assert pages.returncode == 0, pages.stdout[-3000:]
