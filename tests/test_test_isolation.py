"""The generated suite keeps no state from one test to the next: it passes in
any order, all in one process, and no test folder leans on another's code.

pytest-randomly shuffles the suite by a seed. Ten seeds are tried here,
each in one process (`-n 0`), where every test file shares what lives
outside the database: Celery's current app, the attempt limiter, the root
logger. A process costs about 2.5 s before its first test and the whole
suite about a minute, so:

- seed 1 runs the whole suite (about 60 s);
- seeds 2 to 10 run the tests that make apps of their own beside those that
  read what such an app leaves behind: the task and mail tests, the attempt
  limits, logging (about 5 s each);
- the order that once broke the mail test (the task tests, then the mail
  test, in one process: each new Celery app became the current one, and
  mail was queued through it) runs 50 times over in one process (about 20 s).

About 2 min in all on two idle cores. The whole suite also runs spread
over processes (pytest-xdist), in a fresh order each time: the defaults'
after the README's changes and after a template update
(test_customising.py, test_cruft.py), the other combinations in
test_render.py.
"""

import ast
import re
import subprocess
import time
from pathlib import Path

import pytest

from harness import generated_suite_env, record_figure

SEEDS = range(1, 11)
WHOLE_SUITE_SEEDS = (1,)
# The tests that make apps of their own, which change what lives outside
# the database, beside tests that read it: Celery's current app (tasks, and
# mail through the worker's queue), the limiter's storage, the root logger.
STATEFUL_TESTS = (
    "tests/worker/test_tasks.py",
    "tests/mail",
    "tests/accounts/test_limits.py",
    "tests/platform/test_logging.py",
)
REPEATS = 50
MAIL_TEST = "test_without_smtp_mail_goes_to_the_log"


@pytest.fixture(scope="module")
def suite(default_project, default_venv):
    """Run the default render's suite with these pytest arguments; the
    assertion message says how to repeat the run."""

    def run(*arguments):
        command = ["pytest", "-q", "-p", "no:cacheprovider", *arguments]
        started = time.monotonic()
        result = subprocess.run(
            [str(default_venv / "bin" / "pytest"), *command[1:]],
            cwd=default_project,
            env=generated_suite_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        took = time.monotonic() - started
        output = result.stdout.strip()
        summary = output.splitlines()[-1] if output else ""
        assert result.returncode == 0, (
            f"`{' '.join(command)}` fails in a render of the defaults:\n"
            + result.stdout[-6000:]
            + result.stderr[-2000:]
        )
        return summary, took

    return run


def passed(summary):
    return int(re.search(r"(\d+) passed", summary).group(1))


@pytest.mark.slow
@pytest.mark.parametrize("seed", WHOLE_SUITE_SEEDS)
def test_the_whole_suite_passes_in_one_process(suite, seed):
    summary, took = suite("-n", "0", "-p", "randomly", f"--randomly-seed={seed}")
    record_figure(f"generated suite, seed {seed}, one process: {summary} ({took:.1f} s wall)")
    assert passed(summary) >= 300


@pytest.mark.slow
@pytest.mark.parametrize("seed", [seed for seed in SEEDS if seed not in WHOLE_SUITE_SEEDS])
def test_the_tests_that_touch_process_state_pass_in_any_order(suite, seed):
    summary, took = suite(
        "-n", "0", "-p", "randomly", f"--randomly-seed={seed}", *STATEFUL_TESTS
    )
    record_figure(f"stateful tests, seed {seed}, one process: {summary} ({took:.1f} s wall)")
    assert passed(summary) >= 30


@pytest.mark.slow
def test_the_mail_test_passes_after_the_task_tests_every_time(suite):
    # With --keep-duplicates pytest runs a file named twice twice (a test
    # named by its id still runs once), and without pytest-randomly in the
    # order given: the task tests, then the mail test, fifty times over. All
    # the task tests but the one that waits half a second for a worker.
    files = ["tests/worker/test_tasks.py", "tests/mail/test_mail.py"] * REPEATS
    summary, took = suite(
        "-n", "0", "-p", "no:randomly", "--keep-duplicates",
        "-k", f"test_tasks and not without_a_worker or {MAIL_TEST}", *files,
    )
    record_figure(f"task tests then the mail test, {REPEATS} times: {summary} ({took:.1f} s)")
    assert passed(summary) % REPEATS == 0
    assert passed(summary) >= 5 * REPEATS


def cross_folder_imports(tests: Path) -> list[str]:
    """Imports in the test files that reach into another test folder: the
    `tests` package (importable, as the project's root is on sys.path),
    another folder's conftest or test module, or a relative import that
    leaves its folder."""
    own_modules = {path.stem for path in tests.rglob("*.py")}
    found = []
    for path in sorted(tests.rglob("*.py")):
        where = path.relative_to(tests.parent)
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level:
                if node.level > 1 or (node.module and "." in node.module):
                    found.append(f"{where}:{node.lineno}: {'.' * node.level}{node.module or ''}")
                continue
            if isinstance(node, ast.ImportFrom):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "tests" or top in own_modules:
                    found.append(f"{where}:{node.lineno}: {name}")
    return found


def test_no_test_folder_imports_another(default_project):
    # A folder's tests use its own conftest.py and the root one's fixtures,
    # never another folder's code: each folder goes with its feature.
    assert cross_folder_imports(default_project / "tests") == []


def test_the_import_check_finds_each_kind(tmp_path):
    (tmp_path / "tests" / "mail").mkdir(parents=True)
    (tmp_path / "tests" / "worker").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text("import os\n")
    (tmp_path / "tests" / "worker" / "helpers.py").write_text("")
    (tmp_path / "tests" / "mail" / "test_mail.py").write_text(
        "from tests.conftest import PASSWORD\n"
        "import tests.worker.helpers\n"
        "from conftest import PASSWORD\n"
        "from ..worker import helpers\n"
        "from .sub.helpers import x\n"
        "def test_x():\n"
        "    from helpers import y\n"
        "from . import neighbour\n"  # the same folder: allowed
        "from my_service.mail import send_email\n"
    )
    found = cross_folder_imports(tmp_path / "tests")
    assert [line.split(":")[1] for line in found] == ["1", "2", "3", "4", "5", "7"]


def test_the_readme_says_how_to_repeat_an_order(default_project):
    readme = (default_project / "README.md").read_text()
    section = readme.split("\n## Test\n", 1)[1].split("\n## ", 1)[0]
    # Commands in a fenced block, a line each, or in the prose's `code`, which
    # may wrap at a line break.
    fenced = re.findall(r"^```[a-z]*\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(r"^```.*?^```", "", section, flags=re.MULTILINE | re.DOTALL)
    commands = [line for block in fenced for line in block.splitlines()]
    commands += re.findall(r"`([^`]+)`", " ".join(prose.split()))
    assert any(
        "pytest" in command and re.search(r"--randomly-seed=\S", command) for command in commands
    ), section
