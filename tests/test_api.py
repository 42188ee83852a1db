"""The `use_api` option: the JSON API when chosen, no trace of it otherwise,
and, on the booted service, a property-based run over its OpenAPI contract."""

import base64
import contextlib
import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import (
    ROUTER_HEADERS,
    Dyno,
    http_get,
    http_request,
    production,
    project_files,
    project_venv,
    record_figure,
)

API_FILES = (
    "my_service/api/__init__.py",
    "my_service/api/templates/api/docs.html",
    "my_service/notes/api.py",
    "migrations/versions/2026_12_07_0002_0003_create_api_tokens.py",
    "tests/notes/test_api.py",
)
# Words that only the API brings; none may be left in a project without it.
API_WORDS = re.compile(
    r"smorest|marshmallow|apispec|webargs|openapi|api/v1|api_token|bearer|create_api_tokens",
    re.IGNORECASE,
)
API_EMAIL = "contract@example.com"
API_PASSWORD = "a long contract password"
# Each operation gets this many generated cases per phase (coverage,
# fuzzing, stateful): enough to find a 5xx, short enough for `make test`.
MAX_EXAMPLES = 20


@pytest.fixture(scope="module")
def no_api_project(render_variant):
    return render_variant("no-api")


def test_the_api_is_chosen_by_default(default_project):
    for name in API_FILES:
        assert (default_project / name).is_file(), name
    assert '"flask-smorest==' in (default_project / "pyproject.toml").read_text()


def test_without_the_api_nothing_of_it_remains(no_api_project):
    for name in API_FILES:
        assert not (no_api_project / name).exists(), name
    assert not (no_api_project / "my_service" / "api").exists()
    for path in project_files(no_api_project):
        text = path.read_text()
        assert not API_WORDS.search(text), f"{path}: {API_WORDS.search(text).group()}"


@pytest.fixture(scope="module")
def api_project(dyno_project):
    return dyno_project("default")


@contextlib.contextmanager
def serving(project: Path, logs: Path, **environ: str):
    """The project released and serving as on a dyno, with one account.

    The contract is run with one account from one address, far faster than
    a person types: the password attempt and write limits and the notes
    quota (the attack replay tests them) are lifted here."""
    unlimited = {
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "ACCOUNT_RATE_LIMIT": "100000 per minute",
        "WRITE_RATE_LIMIT": "100000 per minute",
        "NOTES_PER_ACCOUNT": "1000000",
    }
    dyno = Dyno(
        project, project_venv(project), logs, **production(logs, **unlimited, **environ)
    )
    dyno.release()
    # The path for an account without the web UI: a management command.
    account = dyno.run_command(
        f"flask create-user --email {API_EMAIL} --password {shlex.quote(API_PASSWORD)}"
    )
    assert account.returncode == 0, account.stdout + account.stderr
    with dyno.web():
        yield dyno


def schemathesis(dyno: Dyno, config: Path, token: str, max_examples: int, *selection: str):
    """Run schemathesis over the served document, with the credentials of `config`."""
    executable = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        # In the config's directory, where it keeps its cache (.schemathesis/).
        cwd=config.parent,
        args=[
            str(executable), "--config-file", str(config), "run",
            f"{dyno.url}/api/openapi.json",
            "--checks", "all",
            "--max-examples", str(max_examples),
            "--request-timeout", "10",
            # As Heroku's router passes requests on: production redirects others.
            *(arg for name, value in ROUTER_HEADERS.items() for arg in ("-H", f"{name}: {value}")),
            *selection,
        ],
        env={
            **dyno.env,
            "NO_COLOR": "1",
            "API_TOKEN": token,
            "API_EMAIL": API_EMAIL,
            "API_PASSWORD": API_PASSWORD,
        },
        capture_output=True,
        text=True,
        timeout=150,
    )


def run_contract(dyno: Dyno, workdir: Path, max_examples: int) -> int:
    """Every operation under generated requests; the number of cases run."""
    # schemathesis picks the credentials for each operation by its security
    # scheme: Basic for POST /api/v1/tokens, the bearer token elsewhere.
    config = workdir / "schemathesis.toml"
    config.write_text(
        "[auth.openapi.bearerAuth]\n"
        'bearer = "${API_TOKEN}"\n'
        "[auth.openapi.basicAuth]\n"
        'username = "${API_EMAIL}"\n'
        'password = "${API_PASSWORD}"\n'
    )
    # DELETE /api/v1/tokens revokes the token it is sent with, and
    # DELETE /api/v1/tokens/{token_id} may pick that token's id, which would
    # leave every later case unauthorized: each runs last, on its own token.
    revoking = ("DELETE /api/v1/tokens/{token_id}", "DELETE /api/v1/tokens")
    runs = {
        "every other operation": [arg for name in revoking for arg in ("--exclude-name", name)],
        **{name: ["--include-name", name] for name in revoking},
    }
    cases = 0
    for name, selection in runs.items():
        result = schemathesis(dyno, config, new_token(dyno), max_examples, *selection)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{name}:\n{output[-8000:]}"
        assert "No issues found" in output, output[-8000:]
        generated = re.search(r"(\d+) generated, (\d+) passed", output)
        assert generated, output[-3000:]
        cases += int(generated.group(1))
    return cases


@pytest.mark.slow
def test_the_contract_holds_under_generated_requests(api_project, tmp_path):
    started = time.monotonic()
    with serving(api_project, tmp_path) as dyno:
        cases = run_contract(dyno, tmp_path, MAX_EXAMPLES)
        operations = operation_count(dyno)
    assert cases >= 100
    record_figure(
        f"API contract (SQLite): schemathesis ran {cases} cases over all {operations} "
        f"operations, no 5xx, every response conforming ({time.monotonic() - started:.1f} s)"
    )


@pytest.mark.slow
def test_the_contract_holds_on_real_postgres(api_project, tmp_path, postgres_database):
    # Postgres is stricter than SQLite (32-bit ids, no NUL in text): what
    # passes there must not become a 500 here. Fewer examples: a second look.
    heroku_url = "postgres://" + postgres_database.split("://", 1)[1]
    started = time.monotonic()
    with serving(api_project, tmp_path, DATABASE_URL=heroku_url) as dyno:
        cases = run_contract(dyno, tmp_path, MAX_EXAMPLES // 2)
    record_figure(
        f"API contract (Postgres): schemathesis ran {cases} cases, no 5xx, every response "
        f"conforming ({time.monotonic() - started:.1f} s)"
    )


def operation_count(dyno: Dyno) -> int:
    status, body = http_get(f"{dyno.url}/api/openapi.json")
    assert status == 200
    paths = json.loads(body)["paths"].values()
    return sum(method != "parameters" for item in paths for method in item)


def new_token(dyno: Dyno) -> str:
    credentials = base64.b64encode(f"{API_EMAIL}:{API_PASSWORD}".encode()).decode()
    status, _, body = http_request(
        f"{dyno.url}/api/v1/tokens",
        method="POST",
        headers={"Authorization": f"Basic {credentials}"},
        timeout=10,
    )
    assert status == 201, body
    return json.loads(body)["token"]
