"""Bad answers, given to a real `cookiecutter` run, are refused cleanly:
a non-zero exit, one line naming the field, and no directory left behind."""

import subprocess
import sys

import pytest

from harness import TEMPLATE_DIR

BAD_ANSWERS = [
    ({"project_slug": "My-Service"}, "project_slug"),
    ({"project_slug": "2fast"}, "project_slug"),
    ({"project_slug": "-svc"}, "project_slug"),
    ({"project_slug": "svc-"}, "project_slug"),
    ({"project_slug": "my_service"}, "project_slug"),
    ({"project_slug": "s" * 31}, "project_slug"),
    ({"project_name": "2048 Game"}, "project_slug"),  # a derived slug must start with a letter
    ({"package_name": "my-service"}, "package_name"),
    ({"package_name": "2svc"}, "package_name"),
    ({"package_name": "class"}, "package_name"),
    ({"package_name": "email"}, "package_name"),
    ({"package_name": "flask"}, "package_name"),
    ({"package_name": "tests"}, "package_name"),
    ({"author_email": "nobody"}, "author_email"),
    ({"author_email": "a@b"}, "author_email"),
    ({"project_name": " "}, "project_name"),
    ({"project_name": "Tab\tName", "project_slug": "tab-name"}, "project_name"),
    ({"description": "two\nlines"}, "description"),
    ({"python_version": "3.11"}, "python_version"),
]


@pytest.mark.parametrize(("answers", "field"), BAD_ANSWERS)
def test_bad_answer_is_refused_without_leftovers(tmp_path, answers, field):
    output_dir = tmp_path / "out"
    output_dir.mkdir()
    result = subprocess.run(
        [
            sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_DIR),
            "--output-dir", str(output_dir),
            *(f"{key}={value}" for key, value in answers.items()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    # One line from the hook: the field, the answer given, what is allowed.
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {field}: "), errors[0]
    if field in ("project_slug", "package_name"):
        assert "; type one such as '" in errors[0]
    assert list(output_dir.iterdir()) == []
