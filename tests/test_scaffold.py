"""`flask scaffold` in renders, as a person uses it: two resources, one
referencing the other, then the project is as green as it was rendered
(ruff, migrations up and down on SQLite and Postgres, its whole suite, the
contract fuzz) and serves them over HTTP, each account seeing only its
own. Bad input writes nothing; the notes example is what the scaffold
writes for it."""

import base64
import hashlib
import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from drills import CSRF_TOKEN, RouterClient
from harness import (
    TOOL_CACHES,
    Dyno,
    fresh_postgres_database,
    project_venv,
    record_figure,
    venv_env,
)
from test_api import new_token, schemathesis, serving
from test_render import run_generated_suite

pytestmark = pytest.mark.slow

# What the README's "Customising" scaffolds, quoted as a shell needs.
HARBOR = ("Harbor", "name:str(80)", "depth:float?")
BOOKING = (
    "Booking", "title:str", "starts_at:datetime", "seats:int", "price:decimal?", "paid:bool",
    "day:date?", "contact:email?", "site:url?", "notes:text?", "harbor:references",
)
# The notes example, as the scaffold writes it.
NOTE = ("Note", "title:str(200)", "body:text?")
# Each of the two options that change what the scaffold writes (pages,
# API), on and off; the worker is on in the first and off in the others.
SCAFFOLD_VARIANTS = ["default", "web-ui-only", "api-only", "bare"]
PASSWORD = "a long enough password"


def fresh_copy(render_variant, name: str, tmp_path: Path) -> Path:
    """A copy of the variant's render, for this test to change."""
    project = tmp_path / "project"
    shutil.copytree(render_variant(name), project, ignore=shutil.ignore_patterns(*TOOL_CACHES))
    return project


def command(project: Path, venv: Path, *args: str, **environ: str):
    """A command of the project's, as `uv run` would run it in development."""
    env = venv_env(venv, INSTANCE_PATH=str(project / "instance"), **environ)
    # A suite run here keeps to SQLite: the shared Postgres is for the suites
    # that make a database of their own.
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def succeeds(project, venv, *args, **environ) -> str:
    result = command(project, venv, *args, **environ)
    assert result.returncode == 0, f"{shlex.join(args)}\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def tree(project: Path) -> dict[str, str]:
    """Every file of the project (tools' caches aside) and its digest."""
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not TOOL_CACHES & set(path.relative_to(project).parts)
    }


# The generated tests a new resource adds or reaches.
TOUCHED = [
    "tests/harbors", "tests/bookings", "tests/pages", "tests/api/test_api_contract.py",
    "tests/admin/test_admin.py", "tests/platform/test_settings_files.py",
    "tests/platform/test_migrations.py",
]


def scaffold_both(project: Path, venv: Path) -> float:
    """Scaffold a harbor and a booking that references one; the seconds it took."""
    started = time.monotonic()
    for resource in (HARBOR, BOOKING):
        # As on a developer's machine (a dyno's copy has no .env to say so).
        output = succeeds(project, venv, "flask", "scaffold", *resource, APP_ENV="development")
        plural = resource[0].lower() + "s"
        assert f"wrote tests/{plural}/test_models.py" in output, output
    return time.monotonic() - started


def migrate_both_ways(project, venv, database_url: str) -> None:
    """Up to the head, down past both new tables, up again, and no change
    left that a migration does not make."""
    environ = {"DATABASE_URL": database_url}
    succeeds(project, venv, "flask", "db", "upgrade", **environ)
    succeeds(project, venv, "flask", "db", "downgrade", "--", "-2", **environ)
    succeeds(project, venv, "flask", "db", "upgrade", **environ)
    assert "No new upgrade operations detected" in succeeds(
        project, venv, "flask", "db", "check", **environ
    )


@pytest.mark.parametrize("name", SCAFFOLD_VARIANTS)
def test_scaffolded_resources_are_green_at_once(render_variant, tmp_path, name):
    project = fresh_copy(render_variant, name, tmp_path)
    venv = project_venv(project)
    seconds = scaffold_both(project, venv)

    def exists(tests: str) -> bool:
        return (project / tests).exists()

    package = project / "my_service"
    assert "    bookings,\n)" in (package / "__init__.py").read_text()  # the last feature
    pages = (package / "pages").exists()
    api = (package / "api").exists()
    assert (package / "bookings" / "views.py").exists() is pages
    assert (package / "bookings" / "admin.py").exists() is pages
    assert (package / "bookings" / "api.py").exists() is api
    assert (project / "tests" / "bookings" / "test_api.py").exists() is api
    if pages or api:
        for made in (".env.example", "docs/configuration.md"):
            assert "BOOKINGS_PER_ACCOUNT" in (project / made).read_text(), made

    succeeds(project, venv, "ruff", "check", ".")
    succeeds(project, venv, "ruff", "format", "--check", ".")
    migrate_both_ways(project, venv, f"sqlite:///{tmp_path}/migrations.db")
    with fresh_postgres_database() as url:
        migrate_both_ways(project, venv, url)
    started = time.monotonic()
    if name == "bare":
        passed = run_generated_suite(project, venv)  # the whole suite: a few seconds
    else:
        # What a new resource touches: its tests, the fuzz and the contract
        # over every route, the admin's pages, the settings' files (the rest
        # of the suite knows no resource, and test_render runs it on every
        # variant). The new resources' tests on Postgres too.
        passed = run_generated_suite(project, venv, None, [t for t in TOUCHED if exists(t)])
        with fresh_postgres_database() as url:
            passed += run_generated_suite(project, venv, url, TOUCHED[:2])
    record_figure(
        f"flask scaffold ({name}): two resources written in {seconds:.1f} s; then ruff, "
        f"migrations both ways on SQLite and Postgres and the suite ({passed} passed, "
        f"{time.monotonic() - started:.1f} s) green"
    )


def test_the_notes_example_is_what_the_scaffold_writes(render_variant, tmp_path):
    """In each variant: take the notes away, scaffold them, and find the
    shipped files again (the migration from its operations on: its header
    names the revision and the time)."""
    for name in SCAFFOLD_VARIANTS:
        shipped = render_variant(name)
        project = fresh_copy(render_variant, name, tmp_path / name)
        notes = sorted(
            path.relative_to(project)
            for folder in ("my_service/notes", "tests/notes")
            for path in (project / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        )
        shutil.rmtree(project / "my_service" / "notes")
        shutil.rmtree(project / "tests" / "notes")
        init = project / "my_service" / "__init__.py"
        init.write_text(init.read_text().replace("    notes,\n", ""))
        venv = project_venv(project)
        output = succeeds(project, venv, "flask", "scaffold", *NOTE)
        written = sorted(
            Path(line.removeprefix("wrote "))
            for line in output.splitlines()
            if line.startswith("wrote ")
        )
        (migration,) = [path for path in written if path.parts[0] == "migrations"]
        assert written == sorted([*notes, migration]), name
        for path in notes:
            assert (project / path).read_text() == (shipped / path).read_text(), f"{name}: {path}"
        (shipped_migration,) = (shipped / "migrations" / "versions").glob("*_create_notes.py")
        operations = (project / migration).read_text().split("\n\ndef upgrade", 1)[1]
        assert operations == shipped_migration.read_text().split("\n\ndef upgrade", 1)[1], name


# Names as long as the scaffold takes, every type, two references.
LONG = (
    "ShipyardMaintenanceAppointment", "responsible_engineer_full_name:str(120)",
    "detailed_description_of_work:text?", "scheduled_start_date_and_time:datetime",
    "estimated_cost_in_euros_total:decimal?", "requires_dry_dock_for_the_job:bool",
    "contact_email_of_the_customer:email?", "documentation_link_for_works:url?",
    "number_of_workers_needed_here:int", "expected_hull_length_in_metre:float?",
    "first_possible_day_to_start:date?", "harbor:references", "booking:references?",
    "--plural", "shipyard_maintenance_appointment_records",  # the longest table name
)


# Resources at the edges of what the scaffold takes: no text field, a
# one-character one, names the written code uses for its own things, a
# class name in capitals referenced by another.
AWKWARD = [
    ("Flag", "done:bool"),
    ("Shift", "starts_at:datetime"),
    ("Mooring", "harbor:references"),
    ("Link", "address:url"),
    ("Value", "amount:decimal", "integer:decimal?", "name_length:decimal?", "code:str(1)"),
    ("HTTPCheck", "status:int"),
    ("Probe", "http_check:references"),
]


def test_long_and_awkward_resources_are_lint_clean_and_green(render_variant, tmp_path):
    project = fresh_copy(render_variant, "default", tmp_path)
    venv = project_venv(project)
    scaffold_both(project, venv)
    for resource in (LONG, *AWKWARD):
        succeeds(project, venv, "flask", "scaffold", *resource)
    succeeds(project, venv, "ruff", "check", ".")
    succeeds(project, venv, "ruff", "format", "--check", ".")
    folders = ["shipyard_maintenance_appointment_records", "flags", "shifts", "moorings"]
    folders += ["links", "values", "http_checks", "probes"]
    run_generated_suite(project, venv, None, [f"tests/{folder}" for folder in folders])
    # The pages fuzz over their forms and routes.
    fuzz = ["tests/pages/test_pages_fuzz.py", "-k", " or ".join(folders)]
    run_generated_suite(project, venv, None, fuzz)


# Bad input, each with what the one line must say.
BAD_INPUT = [
    (["booking", "title:str"], "is not a resource name"),
    (["Booking"], "give at least one field"),
    (["Note", "title:str"], "the model Note exists"),
    (["Class", "title:str"], "'class' is a Python keyword"),
    (["Order", "title:str"], "'order' is a word SQL reserves"),
    (["Static", "title:str"], "'static' is taken"),
    (["Error", "title:str"], "the code already uses that name"),
    (["Booking", "title:strr"], "no type 'strr'"),
    (["Booking", "title:str", "title:text"], "the field 'title' is given twice"),
    (["Booking", "harbor:references"], "there is no resource Harbor to reference"),
    (["Booking", "order:int"], "'order' is a word SQL reserves"),
    (["Booking", "id:int"], "every resource has its own 'id'"),
    (["Booking", "owner_id:int"], "every resource has its own 'owner_id'"),
    (["Booking", "class:int"], "'class' is a Python keyword"),
    (["Booking", "date:date"], "the written code uses 'date' itself"),
    (["Booking", "fields:str"], "the written code uses 'fields' itself"),
    (["Input", "title:str"], "the code already uses that name"),
    (["Booking", "title:str", "--plural", "a" * 41], "is longer than 40 characters"),
    (["Booking", "Title:str"], "is not a field name"),
    (["Booking", "title"], "is not a field"),
    (["Booking", "done:bool?"], "drop the ?"),
    (["Booking", "seats:int(5)"], "only str and text take a length"),
    (["Booking", "title:str(0)"], "the length is from 1 to"),
    (["Booking", "contact:email(10)"], "only str and text take a length"),
    (["Booking", "title:str", "--plural", "Bad Plural"], "a lowercase letter, then"),
]


# Each bad input through Flask's test runner, in one process; the tree's
# digest after each.
BAD_INPUT_SCRIPT = """
import hashlib, json, pathlib, sys

root = pathlib.Path.cwd()
sys.path.insert(0, str(root))
from my_service import create_app

skip = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "instance"}


def tree():
    files = sorted(p for p in root.rglob("*") if p.is_file() and not skip & set(p.parts))
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


runner = create_app().test_cli_runner()
for args in json.loads(sys.argv[1]):
    result = runner.invoke(args=["scaffold", *args])
    print(json.dumps([result.exit_code, result.stdout, result.stderr, tree()]))
"""


def test_bad_input_writes_nothing(render_variant, tmp_path):
    project = fresh_copy(render_variant, "default", tmp_path)
    venv = project_venv(project)
    before = tree(project)
    # The command as a shell runs it: exit status 1, one line on stderr.
    result = command(project, venv, "flask", "scaffold", "Booking", "title:strr")
    assert (result.returncode, result.stdout) == (1, ""), result
    assert result.stderr == "Error: title:strr: no type 'strr'; the types are " + (
        "str, text, int, float, decimal, bool, date, datetime, email, url, references\n"
    )
    assert tree(project) == before
    script = tmp_path / "bad_input.py"
    script.write_text(BAD_INPUT_SCRIPT)
    cases = json.dumps([args for args, _ in BAD_INPUT])
    output = succeeds(project, venv, "python", str(script), cases, APP_ENV="development")
    answers = [json.loads(line) for line in output.splitlines() if line.startswith("[")]
    assert len(answers) == len(BAD_INPUT)
    digests = set()
    for (args, problem), (status, stdout, stderr, digest) in zip(BAD_INPUT, answers, strict=True):
        lines = stderr.strip().splitlines()
        assert (status, stdout) == (1, ""), (args, stdout, stderr)
        assert len(lines) == 1 and problem in lines[0], (args, stderr)
        digests.add(digest)
    assert len(digests) == 1  # the same tree after each
    assert tree(project) == before

    dry_run = succeeds(project, venv, "flask", "scaffold", "--dry-run", *HARBOR)
    assert "would write my_service/harbors/models.py" in dry_run
    assert "would change my_service/__init__.py" in dry_run
    assert tree(project) == before


def form(client: RouterClient, path: str, data: dict) -> tuple[int, str]:
    """Post a page's form, with the token its page carries."""
    status, _, page = client.request("GET", path)
    assert status == 200, (path, status)
    token = CSRF_TOKEN.search(page.decode()).group(1)
    status, headers, _ = client.request("POST", path, {**data, "csrf_token": token})
    return status, headers.get("Location", "")


def api(dyno: Dyno, method: str, path: str, token: str, body=None) -> tuple[int, object]:
    client = RouterClient(dyno.url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, _, data = client.request(method, path, json.dumps(body) if body else None, headers)
    return status, json.loads(data) if data else None


def test_scaffolded_resources_are_served_to_their_owners_only(dyno_project, tmp_path):
    """The default render with both resources, released and serving as on a
    dyno: two accounts create, list, edit and delete through the pages and
    through the API, and neither sees the other's; the contract fuzz finds
    no 5xx and no answer that the document does not describe."""
    project = tmp_path / "project"
    shutil.copytree(dyno_project("default"), project)
    venv = project_venv(project)
    scaffold_both(project, venv)
    with serving(project, tmp_path) as dyno:
        for email in ("ada@example.com", "bob@example.com"):
            made = dyno.run_command(f"flask create-user --email {email} --password '{PASSWORD}'")
            assert made.returncode == 0, made.stdout + made.stderr
        through_the_pages(dyno)
        through_the_api(dyno)
        config = tmp_path / "schemathesis.toml"
        config.write_text('[auth.openapi.bearerAuth]\nbearer = "${API_TOKEN}"\n')
        started = time.monotonic()
        # A booking goes with its harbor (the database cascades the delete):
        # the fuzz's sequences that delete a harbor and then look for one of
        # its bookings would report the booking gone, as it should be.
        fuzz = schemathesis(
            dyno, config, new_token(dyno), 20,
            "--include-path-regex", "^/api/v1/(harbors|bookings)",
            "--exclude-checks", "ensure_resource_availability",
        )
        output = fuzz.stdout + fuzz.stderr
        assert fuzz.returncode == 0 and "No issues found" in output, output[-8000:]
        cases = re.search(r"(\d+) generated", output).group(1)
    record_figure(
        f"flask scaffold: the contract fuzz ran {cases} cases over the scaffolded operations "
        f"({time.monotonic() - started:.1f} s), no issue"
    )


def through_the_pages(dyno: Dyno) -> None:
    made = {}
    for email in ("ada@example.com", "bob@example.com"):
        client = RouterClient(dyno.url)
        assert client.log_in(email, PASSWORD) == 302
        status, harbor = form(client, "/harbors/new", {"name": f"{email}'s harbor"})
        assert status == 302 and re.fullmatch(r"/harbors/\d+", harbor), (status, harbor)
        booking = {
            "title": f"{email}'s booking", "starts_at": "2026-12-24T18:00", "seats": "4",
            "price": "12.50", "paid": "y", "harbor_id": harbor.rsplit("/", 1)[1],
        }
        status, location = form(client, "/bookings/new", booking)
        assert status == 302 and re.fullmatch(r"/bookings/\d+", location), (status, location)
        assert form(client, f"{location}/edit", {**booking, "seats": "5"})[0] == 302
        status, _, page = client.request("GET", location)
        assert status == 200 and b"<dd>5</dd>" in page and b"2026-12-24 18:00" in page
        made[email] = (client, location, harbor)
    ada, adas_booking, _ = made["ada@example.com"]
    _, bobs_booking, bobs_harbor = made["bob@example.com"]
    listing = ada.request("GET", "/bookings/")[2]
    assert b"ada@example.com&#39;s booking" in listing and b"bob@example.com" not in listing
    for path in (bobs_booking, f"{bobs_booking}/edit"):
        assert ada.request("GET", path)[0] == 404, path
    # Bob's harbor is not Ada's to book: the form says so, and nothing is added.
    foreign = {"title": "x", "starts_at": "2026-12-24T18:00", "seats": "1",
               "harbor_id": bobs_harbor.rsplit("/", 1)[1]}
    assert form(ada, "/bookings/new", foreign)[0] == 200
    token = CSRF_TOKEN.search(ada.request("GET", adas_booking)[2].decode()).group(1)
    assert ada.request("POST", f"{adas_booking}/delete", {"csrf_token": token})[0] == 302
    assert ada.request("GET", adas_booking)[0] == 404
    assert b"No bookings yet." in ada.request("GET", "/bookings/")[2]


def through_the_api(dyno: Dyno) -> None:
    ada, bob = (token_of(dyno, email) for email in ("ada@example.com", "bob@example.com"))
    status, harbor = api(dyno, "POST", "/api/v1/harbors", ada, {"name": "Ada's quay"})
    assert status == 201, harbor
    booking = {"title": "By the API", "starts_at": "2026-12-31T23:00:00Z", "seats": 2,
               "price": "3.10", "harbor_id": harbor["id"]}
    status, made = api(dyno, "POST", "/api/v1/bookings", ada, booking)
    assert status == 201, made
    assert made["starts_at"] == "2026-12-31T23:00:00+00:00" and made["price"] == "3.10"
    path = f"/api/v1/bookings/{made['id']}"
    status, replaced = api(dyno, "PUT", path, ada, {**booking, "seats": 3})
    assert status == 200 and replaced["seats"] == 3
    assert [item["id"] for item in api(dyno, "GET", "/api/v1/bookings", ada)[1]] == [made["id"]]
    assert made["id"] not in [item["id"] for item in api(dyno, "GET", "/api/v1/bookings", bob)[1]]
    status, bobs_harbor = api(dyno, "POST", "/api/v1/harbors", bob, {"name": "Bob's quay"})
    bobs_booking = {**booking, "harbor_id": bobs_harbor["id"]}
    for method in ("GET", "PUT", "DELETE"):
        assert api(dyno, method, path, bob, bobs_booking if method == "PUT" else None)[0] == 404
    status, refused = api(dyno, "POST", "/api/v1/bookings", bob, booking)
    assert status == 409 and refused["message"] == f"You have no harbor {harbor['id']}.", refused
    assert api(dyno, "DELETE", path, ada)[0] == 204
    assert api(dyno, "GET", path, ada)[0] == 404


def token_of(dyno: Dyno, email: str) -> str:
    credentials = base64.b64encode(f"{email}:{PASSWORD}".encode()).decode()
    status, _, body = RouterClient(dyno.url).request(
        "POST", "/api/v1/tokens", headers={"Authorization": f"Basic {credentials}"}
    )
    assert status == 201, body
    return json.loads(body)["token"]
