"""No library internals: the generated service, its tests and the template's
hooks use other packages through their public, documented names only.

A scanner reads every Python file with `ast` and reports, by file and line,
each use of another package's private parts; its own tests below show each
rule firing on a small snippet, and clean code passing.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import TEMPLATE_DIR

# A private name: one leading underscore (`_name`). Dunders (`__init__`) are
# Python's own protocol, and `__name` is mangled to the class that writes it.
PRIVATE = re.compile(r"_(?!_)")

# Modules that are a package's machinery although no part of their name is
# private: importing from them ties the code to how the package is built
# inside, not to what it documents. Each with the public way.
INTERNAL_MODULES = {
    # Flask's context machinery (its API docs list these under "Useful
    # Internals"): `flask` exports current_app, g, request and session, and
    # app.app_context() and app.test_request_context() make contexts.
    "flask.globals": "import current_app, g, request, session from flask",
    "flask.ctx": "use app.app_context() or app.test_request_context()",
    # How Werkzeug builds the proxies that Flask hands out.
    "werkzeug.local": "use Flask's proxies (flask.g, flask.request, ...)",
    # SQLAlchemy's helpers for its own code, outside its API reference.
    "sqlalchemy.util": "use the names sqlalchemy and sqlalchemy.orm export",
    # scoped_session's implementation; Flask-SQLAlchemy manages the session.
    "sqlalchemy.orm.scoping": "use db.session (Flask-SQLAlchemy)",
}

# Modules whose classes are documented to be named or used, not subclassed: a
# subclass overrides methods that their documentation does not describe.
INTERNAL_TO_SUBCLASS = {
    # Transports are picked by the broker URL; a Transport's or Channel's
    # methods are kombu's own.
    "kombu.transport": "choose a transport by its URL and transport_options",
    # gunicorn documents its bundled workers as worker_class names only; the
    # documented way to write one is a subclass of gunicorn.workers.base.Worker.
    "gunicorn.workers.gthread": "name the worker in worker_class",
    "gunicorn.workers.sync": "name the worker in worker_class",
    "gunicorn.workers.base_async": "name the worker in worker_class",
    "gunicorn.workers.ggevent": "name the worker in worker_class",
    "gunicorn.workers.gtornado": "name the worker in worker_class",
}

# Calls that read or replace an attribute named by a string: the builtins,
# monkeypatch.setattr/delattr and mock.patch.object take (object, "name").
ATTRIBUTE_BY_NAME = {"getattr", "setattr", "hasattr", "delattr", "object"}
# Calls that take a dotted path instead: mock.patch("pkg.mod.name") and
# monkeypatch.setattr("pkg.mod.name", value).
ATTRIBUTE_BY_PATH = {"patch", "setattr", "delattr"}


@dataclass(frozen=True)
class Allowed:
    reason: str
    documentation: str  # the page that makes the name public, or names the setting


# Allowed uses, keyed by (file relative to the project, the name the scanner
# reports): a public name that happens to look private, with the
# documentation that makes it public, or the one override that has no public
# replacement, with why. `{package}` stands for the package's name.
EXCEPTIONS = {
    ("{package}/platform/gunicorn_worker.py", "gunicorn.workers.gthread.ThreadWorker"): Allowed(
        reason=(
            "a stopping worker must close its listening socket at once, so that new "
            "connections are refused (another dyno can take them), not reset; gunicorn has no "
            "setting, hook or documented worker method for it, and a SIGTERM handler from "
            "post_worker_init crashes the worker. The override is the module's whole content, "
            "and its generated test fails when gunicorn's version changes, to re-check it."
        ),
        documentation="https://gunicorn.org/reference/settings/#worker_class",
    ),
}


@dataclass(frozen=True)
class Finding:
    line: int
    name: str  # the private or internal name, as EXCEPTIONS keys it
    what: str


def is_private(name: str) -> bool:
    return bool(PRIVATE.match(name))


def is_under(module: str, prefixes) -> str | None:
    """The entry of prefixes that module is, or is inside of."""
    for prefix in prefixes:
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return None


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class Scanner(ast.NodeVisitor):
    def __init__(self, own: set[str]):
        self.own = own
        self.imported: dict[str, str] = {}  # local name: what it stands for
        self.findings: list[Finding] = []

    def report(self, node: ast.AST, name: str, what: str) -> None:
        self.findings.append(Finding(node.lineno, name, what))

    def is_own(self, module: str) -> bool:
        return module.split(".")[0] in self.own

    def check_module(self, node: ast.AST, module: str) -> None:
        if self.is_own(module):
            return
        private = [part for part in module.split(".") if is_private(part)]
        if private:
            self.report(node, module, f"imports the private module {module}")
        internal = is_under(module, INTERNAL_MODULES)
        if internal:
            self.report(
                node, module, f"imports {module}, internal: {INTERNAL_MODULES[internal]}"
            )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)
            if alias.asname:
                self.imported[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.imported[root] = root

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:  # relative: the package's own
            return
        self.check_module(node, node.module)
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.imported[alias.asname or alias.name] = full
            if self.is_own(node.module):
                continue
            if is_private(alias.name):
                self.report(node, full, f"imports the private name {alias.name} of {node.module}")
            elif is_under(full, INTERNAL_MODULES):  # from flask import ctx
                self.check_module(node, full)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if is_private(node.attr):
            self.report(node, node.attr, f"reads or sets the private attribute .{node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        called = (
            function.id if isinstance(function, ast.Name)
            else function.attr if isinstance(function, ast.Attribute)
            else None
        )
        if called in ATTRIBUTE_BY_NAME and len(node.args) >= 2:
            name = string(node.args[1])
            if name is not None and is_private(name):
                self.report(node, name, f'names the private attribute "{name}" in {called}()')
        if called in ATTRIBUTE_BY_PATH and node.args:
            path = string(node.args[0])
            if path is not None and "." in path:
                private = [part for part in path.split(".") if is_private(part)]
                if private and not self.is_own(path):
                    self.report(node, path, f'patches the private name "{path}"')
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        # type(error).__name__ == "_SomeInternalError": a private class, by name.
        sides = [node.left, *node.comparators]
        if any(
            isinstance(side, ast.Attribute) and side.attr in ("__name__", "__qualname__")
            for side in sides
        ):
            for side in sides:
                names = (
                    [string(element) for element in side.elts]
                    if isinstance(side, ast.Tuple | ast.List | ast.Set)
                    else [string(side)]
                )
                for name in names:
                    if name is not None and is_private(name):
                        self.report(node, name, f'recognises the private class "{name}" by name')
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        foreign = []
        for base in node.bases:
            name = dotted(base)
            if name is None:
                continue
            root, _, rest = name.partition(".")
            if root not in self.imported:
                continue  # defined here, or a builtin
            full = ".".join(filter(None, [self.imported[root], rest]))
            if self.is_own(full):
                continue
            foreign.append(full)
            internal = is_under(full, INTERNAL_TO_SUBCLASS)
            if internal:
                self.report(
                    node, full,
                    f"subclasses {full}, not meant to be: {INTERNAL_TO_SUBCLASS[internal]}",
                )
        if foreign:
            for statement in node.body:
                if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and is_private(
                    statement.name
                ):
                    self.report(
                        statement, statement.name,
                        f"overrides {statement.name}() in a subclass of {', '.join(foreign)}",
                    )
        self.generic_visit(node)


def scan(source: str, own=frozenset()) -> list[Finding]:
    """Each use of another package's private parts in source. `own` names
    the top-level modules that are the code's own."""
    scanner = Scanner(set(own))
    scanner.visit(ast.parse(source))
    return scanner.findings


# The scanner's rules, each on a snippet -------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        # Private attributes, on anything.
        ("app._got_first_request", "_got_first_request"),
        ("self._accepting = False", "_accepting"),
        ("sys._getframe(1)", "_getframe"),
        ("del obj._cache", "_cache"),
        # Private attributes named by a string.
        ('getattr(engine, "_pool")', "_pool"),
        ('hasattr(app, "_before_request_lock")', "_before_request_lock"),
        ('setattr(worker, "_accepting", True)', "_accepting"),
        ('delattr(session, "_state")', "_state"),
        ('monkeypatch.setattr(redis, "_connection", None)', "_connection"),
        ('mock.patch.object(Celery, "_after_fork")', "_after_fork"),
        ('mock.patch("flask.app._cv_app")', "flask.app._cv_app"),
        ('monkeypatch.setattr("psycopg._conninfo.timeout", 1)', "psycopg._conninfo.timeout"),
        # Private modules and names of other packages.
        ("from flask._compat import text_type", "flask._compat"),
        ("import psycopg._encodings", "psycopg._encodings"),
        ("import _pytest.fixtures", "_pytest.fixtures"),
        ("from werkzeug.serving import _ansi_style", "werkzeug.serving._ansi_style"),
        ("from psycopg.errors import _WaitTimeout as Timeout", "psycopg.errors._WaitTimeout"),
        # Internal modules.
        ("from flask.globals import request_ctx", "flask.globals"),
        ("import flask.ctx", "flask.ctx"),
        ("from flask import ctx", "flask.ctx"),
        ("from werkzeug.local import LocalProxy", "werkzeug.local"),
        ("from sqlalchemy.util import lightweight_named_tuple", "sqlalchemy.util"),
        ("import sqlalchemy.util.langhelpers", "sqlalchemy.util.langhelpers"),
        ("from sqlalchemy.orm.scoping import scoped_session", "sqlalchemy.orm.scoping"),
        # A class meant to be named, subclassed.
        (
            "from kombu.transport import redis\nclass Channel(redis.Channel):\n    pass",
            "kombu.transport.redis.Channel",
        ),
        (
            "from gunicorn.workers.gthread import ThreadWorker\n"
            "class Worker(ThreadWorker):\n    def set_accept_enabled(self, enabled): pass",
            "gunicorn.workers.gthread.ThreadWorker",
        ),
        # Another package's class, its private method overridden.
        (
            "import logging\nclass Handler(logging.Handler):\n    def _at_fork_reinit(self): pass",
            "_at_fork_reinit",
        ),
        (
            "from flask_admin.contrib.sqla import ModelView as View\n"
            "class Users(View):\n    async def _apply_filters(self): pass",
            "_apply_filters",
        ),
        # A private class recognised by its name.
        ('if type(error).__name__ != "_WaitTimeout":\n    raise', "_WaitTimeout"),
        ('error.__class__.__qualname__ in ("_Timeout", "Other")', "_Timeout"),
    ],
)
def test_the_scanner_reports_each_private_use(source, name):
    findings = scan(source, own={"my_service"})
    assert name in [finding.name for finding in findings], findings
    assert all(finding.line >= 1 for finding in findings)


CLEAN = '''
"""Public names only."""
from __future__ import annotations

import flask
import sqlalchemy.orm
from flask import Flask, current_app, g, request
from gunicorn.glogging import Logger
from gunicorn.workers.base import Worker
from my_service._internal import _helper
from my_service.platform import _registry
from ._private import _cache
from . import _also_ours

import manage


class AppLogsRequests(Logger):
    def access(self, resp, req, environ, request_time):
        pass


class OwnWorker(Worker):
    def run(self):
        pass


class Ours:
    def _helper(self):  # a class of ours, its own private method
        return self.__class__.__name__ == "Ours"


class Mangled(Logger):
    def __secret(self):  # mangled to _Mangled__secret: overrides nothing
        pass


def view(app: Flask):
    name = getattr(app, "name", None)
    setattr(g, "user", None)
    value = getattr(request, f"_{name}", None)  # not a literal: not judged
    flask.json.dumps({"_private": 1, "__dunder__": 2})
    return app.__class__.__name__, type(app).__name__ == "Flask", _helper(value)


def test(monkeypatch):
    monkeypatch.setattr("my_service._internal.LIMIT", 1)
    monkeypatch.setattr(current_app, "config", {})
    monkeypatch.setenv("_PRIVATE_LOOKING", "1")
'''


def test_clean_code_passes_the_scanner():
    assert scan(CLEAN, own={"my_service", "manage"}) == []


def test_a_finding_names_its_line():
    source = "import flask\n\n\nflask.g._user = None\n"
    assert scan(source) == [
        Finding(4, "_user", "reads or sets the private attribute ._user")
    ]


def test_the_own_package_is_only_what_it_is_told():
    source = "from my_service._internal import helper"
    assert scan(source, own={"my_service"}) == []
    assert [f.name for f in scan(source, own={"other"})] == ["my_service._internal"]


# The rendered project and the hooks -----------------------------------------


def scanned_files(project: Path, package: str) -> list[Path]:
    """The Python files the rule covers: the package, its tests, the server
    and entry points, the migrations."""
    files = [
        *(project / package).rglob("*.py"),
        *(project / "tests").rglob("*.py"),
        *(project / "migrations").rglob("*.py"),
        *(project / name for name in ("gunicorn.conf.py", "wsgi.py", "manage.py")),
    ]
    return sorted(path for path in files if "__pycache__" not in path.parts)


def allowed(relative: str, name: str, package: str) -> Allowed | None:
    for (path, excepted), exception in EXCEPTIONS.items():
        if path.format(package=package) == relative and excepted == name:
            return exception
    return None


def test_the_generated_project_and_the_hooks_use_no_library_internals(default_project):
    package = default_project.name.replace("-", "_")
    own = {package, "manage", "wsgi", "tests"}  # the project's own top-level modules
    files = {
        path.relative_to(default_project).as_posix(): path
        for path in scanned_files(default_project, package)
    }
    # Every part is scanned: all options are on in the default answers.
    for expected in (
        "gunicorn.conf.py", "wsgi.py", "manage.py", "migrations/env.py",
        f"{package}/__init__.py", f"{package}/platform/postgres.py",
        f"{package}/worker/celery_app.py", f"{package}/admin/views.py",
        f"{package}/api/blueprint.py", "tests/conftest.py", "tests/worker/conftest.py",
    ):
        assert expected in files, expected
    hooks = sorted((TEMPLATE_DIR / "hooks").glob("*.py"))
    assert [hook.name for hook in hooks] == ["post_gen_project.py", "pre_gen_project.py"]
    files.update((f"hooks/{hook.name}", hook) for hook in hooks)

    found, excused = [], set()
    for name, path in files.items():
        for finding in scan(path.read_text(), own=own):
            if allowed(name, finding.name, package):
                excused.add((name, finding.name))
            else:
                found.append(f"{name}:{finding.line}: {finding.what}")
    assert not found, "\n".join(found)
    # Every exception still excuses something: none outlives its reason.
    assert excused == {(path.format(package=package), name) for path, name in EXCEPTIONS}


def test_each_exception_gives_its_reason_and_documentation():
    for exception in EXCEPTIONS.values():
        assert len(exception.reason) > 40
        assert exception.documentation.startswith("https://")
