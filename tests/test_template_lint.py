"""The template's own Python (hooks, harness, tests, bench, pins) passes the
linter `make lint` runs: the generated projects are linted by their own
tests (test_render.py), and this keeps the template to the same rules."""

import subprocess
import sys
from pathlib import Path

from harness import TEMPLATE_DIR


def test_the_template_code_passes_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "."],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
