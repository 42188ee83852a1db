"""Rendering the template and running a render as Heroku would (its venv,
its Procfile's processes, HTTP as the router sends it): shared by the
template's tests and the benchmarks."""

import base64
import contextlib
import fcntl
import hashlib
import hmac
import importlib.util
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent
# The questions and their defaults, as cookiecutter reads them.
QUESTIONS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
VENV_CACHE = Path(os.environ.get("TEMPLATE_VENV_CACHE", TEMPLATE_DIR / ".cache" / "venvs"))
INSTALL_TIMEOUT = 900
# uv from the template's venv (requirements-dev.txt).
UV = str(Path(sys.executable).with_name("uv"))

# The yes/no questions (use_celery, ...), in cookiecutter.json's order.
OPTIONS = [
    key for key, value in QUESTIONS.items() if key.startswith("use_") and isinstance(value, bool)
]


def variant_name(answers: dict) -> str:
    """A combination's name: "default", "bare" (nothing chosen), "api-only",
    "no-celery" (all but one), else the chosen options joined by "+"."""
    chosen = [option for option in OPTIONS if answers[option]]
    label = [option.removeprefix("use_").replace("_", "-") for option in OPTIONS]
    named = dict(zip(OPTIONS, label, strict=True))
    if all(answers[option] == QUESTIONS[option] for option in OPTIONS):
        return "default"
    if not chosen:
        return "bare"
    if len(chosen) == 1:
        return f"{named[chosen[0]]}-only"
    if len(chosen) == len(OPTIONS) - 1:
        [left_out] = [option for option in OPTIONS if not answers[option]]
        return f"no-{named[left_out]}"
    return "+".join(named[option] for option in chosen)


def every_combination() -> list[dict]:
    """{option: True or False} for each combination, the default first, then
    from the fullest to the barest."""
    combinations = [
        dict(zip(OPTIONS, flags, strict=True))
        for flags in itertools.product((True, False), repeat=len(OPTIONS))
    ]
    return sorted(
        combinations,
        key=lambda answers: (variant_name(answers) != "default", -sum(answers.values())),
    )


# Every combination of the options, by name (all are supported): each one
# is rendered, linted, tested and booted. A variant's answers are those
# that differ from the defaults.
VARIANTS = {
    variant_name(answers): {
        option: chosen for option, chosen in answers.items() if chosen != QUESTIONS[option]
    }
    for answers in every_combination()
}


def render(output_dir: Path, **answers) -> Path:
    """Render the template without prompts; return the project directory."""
    project = cookiecutter(
        str(TEMPLATE_DIR),
        no_input=True,
        extra_context=answers,
        output_dir=str(output_dir),
    )
    return Path(project)


# What running a project's tools leaves in it, not part of the render.
TOOL_CACHES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "instance"}


def project_files(project: Path) -> list[Path]:
    """The files of a rendered project, without its tools' caches."""
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and not TOOL_CACHES & set(path.relative_to(project).parts)
    ]


def load_hook(name: str, folder: str = "hooks"):
    """Import a hook script (or another script of the template) as a module,
    to test its pure functions."""
    path = TEMPLATE_DIR / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def find_python(version: str) -> str | None:
    """An interpreter for `version` ("3.13"), or None when there is none."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == str(
            tuple(int(part) for part in version.split("."))
        ):
            return str(candidate)
    return None


def uv_environ(venv: Path) -> dict:
    """The environment uv runs a project's commands in: `venv` as the
    project's environment, and no Python downloads (the interpreter is
    always given: this machine's, found by find_python)."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def uv_sync(project: Path, python: str, venv: Path, *options: str) -> None:
    """`uv sync --locked` of the project into `venv`: exactly the packages
    of its uv.lock, each download checked against the lock's hashes; it
    fails if the lock does not match pyproject.toml."""
    subprocess.run(
        [UV, "sync", "--locked", "--quiet", "--python", python, *options],
        cwd=project,
        env=uv_environ(venv),
        check=True,
        timeout=INSTALL_TIMEOUT,
    )
    subprocess.run(
        [UV, "pip", "check", "--quiet", "--python", str(venv / "bin" / "python")],
        env=uv_environ(venv),
        check=True,
    )


def project_python(project: Path) -> str:
    """The project's own Python (.python-version) when this machine has it,
    else the one running this: the lock fits every version it allows."""
    wanted = (project / ".python-version").read_text().strip()
    return find_python(wanted) or sys.executable


def project_venv(project: Path, python: str | None = None) -> Path:
    """The project's venv as a developer's `uv sync` makes it (every
    dependency group), cached by its uv.lock and its Python.

    Like pip, it compiles the installed modules to bytecode: a venv without
    it compiles every module again in every process that imports it (this
    machine sets PYTHONDONTWRITEBYTECODE), which doubles a boot and slows
    every suite and benchmark against what a dyno does."""
    python = python or project_python(project)
    digest = hashlib.sha256(f"{python} all groups, compiled".encode())
    digest.update((project / "uv.lock").read_bytes())
    venv = VENV_CACHE / digest.hexdigest()[:16]
    VENV_CACHE.mkdir(parents=True, exist_ok=True)
    # One build a venv, even when test processes run side by side.
    with (VENV_CACHE / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            # An interrupted build leaves no "ready" mark: start it again.
            shutil.rmtree(venv, ignore_errors=True)
            uv_sync(project, python, venv, "--all-groups", "--compile-bytecode")
            (venv / "ready").touch()
    return venv


def heroku_venv(project: Path, venv: Path) -> Path:
    """A new venv installed as Heroku's Python buildpack installs a uv
    project: `uv sync --locked --no-default-groups --compile-bytecode` (no
    dev group), then a check of every installed package's requirements.
    Not cached."""
    uv_sync(project, project_python(project), venv, "--no-default-groups", "--compile-bytecode")
    return venv


def venv_env(venv: Path, **extra: str) -> dict:
    """The environment of a process run inside `venv`, with `extra` on top."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "APP_ENV", "SECRET_KEY", "DATABASE_URL")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env.update(extra)
    return env


def generated_suite_env(database_url: str | None = None) -> dict:
    """The environment a render's own suite runs in: TEST_DATABASE_URL only
    when given, and TEST_REDIS_URL on a Redis database of this test
    process's own, so that suites run side by side (make test's two
    processes) never count login attempts in each other's keys."""
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under pytest -n
    if env.get("TEST_REDIS_URL") and worker:
        scheme, rest = env["TEST_REDIS_URL"].split("://", 1)
        env["TEST_REDIS_URL"] = f"{scheme}://{rest.split('/', 1)[0]}/{2 + int(worker[2:])}"
    return env


def procfile(project: Path) -> dict[str, str]:
    processes = {}
    for line in (project / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What Heroku's router adds to a request that reached it over TLS. Production
# redirects any other request to https (but /healthz), as it should.
ROUTER_HEADERS = {"X-Forwarded-Proto": "https"}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


OPENER = urllib.request.build_opener(NoRedirects)


def http_request(
    url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None,
    timeout: float = 5,
):
    """(status, headers, body) of one request sent as the router would pass
    it on; redirects are returned, not followed."""
    request = urllib.request.Request(
        url, data=data, method=method, headers={**ROUTER_HEADERS, **(headers or {})}
    )
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        # Closed, or its keep-alive connection holds up gunicorn's shutdown.
        with error:
            return error.code, error.headers, error.read()


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    status, _, body = http_request(url, timeout=timeout)
    return status, body


def wait_for_http(url: str, process: subprocess.Popen, limit: float = 60) -> float:
    """Seconds until `url` answers; fails if the process dies or time runs out."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            pytest.fail(f"the process exited with {process.returncode} before answering")
        try:
            http_get(url, timeout=1)
            return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {limit} s")


def skip_or_fail(reason: str):
    """Skip for lack of a service; under CI=true it is a failure instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: real services are required)")
    pytest.skip(reason)


HEROKU_BOOT_LIMIT = 60  # seconds for web to bind $PORT (error R10)
HEROKU_KILL_WINDOW = 30  # seconds between SIGTERM and SIGKILL


class Dyno:
    """Runs the project's Procfile lines with a dyno's environment."""

    def __init__(self, project: Path, venv: Path, logs: Path, **environ: str):
        self.project = project
        self.venv = venv
        self.environ = environ
        self.commands = procfile(project)
        self.port = free_port()
        self.env = venv_env(venv, PORT=str(self.port), WEB_CONCURRENCY="2", **environ)
        self.logs = logs
        self.url = f"http://127.0.0.1:{self.port}"

    def another(self, **changes: str) -> "Dyno":
        """Another dyno of the same app: the same settings (SECRET_KEY too),
        its own port."""
        return Dyno(self.project, self.venv, self.logs, **{**self.environ, **changes})

    def run(self, process: str) -> subprocess.CompletedProcess:
        return self.run_command(self.commands[process])

    def run_command(self, command: str) -> subprocess.CompletedProcess:
        """A one-off command with the dyno's settings, as `heroku run` would."""
        return subprocess.run(
            ["bash", "-c", command],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def release(self) -> str:
        """Run the release line as a deploy would; it must succeed."""
        result = self.run("release")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    @contextlib.contextmanager
    def web(self):
        """Serve the web line; yield the seconds it took to answer /healthz.
        On leaving, SIGTERM it: it must exit cleanly, inside the kill window."""
        web = self.web_process = self.start("web")
        try:
            yield wait_for_http(f"{self.url}/healthz", web, HEROKU_BOOT_LIMIT)
        finally:
            self.stopped_after = self.stop(web)
        assert web.returncode == 0, self.output("web")

    def start(self, process: str, name: str | None = None) -> subprocess.Popen:
        """Start a Procfile line; its output goes to the log `name` (default: process)."""
        with (self.logs / f"{name or process}.log").open("w") as log:
            return subprocess.Popen(
                ["bash", "-c", self.commands[process]],  # as Heroku runs it
                cwd=self.project,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, like a dyno
            )

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL every process of the dyno, as a crash or Heroku's last resort."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=HEROKU_KILL_WINDOW)

    @staticmethod
    def stop(proc: subprocess.Popen) -> float:
        """SIGTERM every process of the dyno; seconds until it exited."""
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=HEROKU_KILL_WINDOW)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"still running {HEROKU_KILL_WINDOW} s after SIGTERM")
        return time.monotonic() - started


def production(tmp_path: Path, **environ: str) -> dict:
    """A dyno's settings: production, a fresh secret, state in tmp_path.

    A dyno has a /tmp of its own: so does each test here (beat keeps its
    schedule file there, which two runs on one machine must not share)."""
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path}/dyno.db",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TMPDIR": str(tmp_path),
        **environ,
    }


def authenticator_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` (the base32 key a
    setup page shows, spaces allowed) at the time `at` (now): RFC 6238's
    HMAC-SHA1 over 30-second steps, 6 digits. Written here, apart from the
    service's library, as an app on a phone would compute it."""
    key = secret.replace(" ", "").upper()
    key = base64.b32decode(key + "=" * (-len(key) % 8))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def wait_until(predicate, limit: float, what: str) -> float:
    """Seconds until predicate() is true; fails after `limit` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {limit} s")


@contextlib.contextmanager
def fresh_postgres_database():
    """A new, empty database on the server at TEST_DATABASE_URL (its URL),
    dropped on leaving, whoever is still connected."""
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("TEST_DATABASE_URL is not set: no Postgres to drill against")
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        skip_or_fail(f"Postgres at TEST_DATABASE_URL is unreachable: {error}")
    name = f"drill_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def resident_mb(pid: int) -> float:
    """A process's resident set size (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"process {pid} has no VmRSS")


FIGURES: list[str] = []


def record_figure(text: str) -> None:
    """A measured figure, printed in the run's closing summary."""
    FIGURES.append(text)


DRILL_ROWS: list[tuple[str, str, str, str]] = []


def record_drill_row(drill: str, work: str, failures: str, recovery: str) -> None:
    """A row of the fault drills' table, printed in the run's closing summary
    (and kept in the README's reliability section)."""
    DRILL_ROWS.append((drill, work, failures, recovery))
