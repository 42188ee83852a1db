"""What the project has already, as `flask scaffold` needs to know it: the
names taken, the resources a new one may reference, the migrations' head,
and create_app's list of features."""

import importlib
import re
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import types

from ..platform.database import db
from ..platform.migrations import MIGRATIONS_DIR
from .fields import fitting
from .resource import ScaffoldError, Target, snake_case

IMPORTS = re.compile(r"^from \. import \(\n(?P<names>(?:    .*\n)+)\)\n", re.MULTILINE)
FIXTURE = re.compile(r"^@pytest\.fixture.*\ndef (\w+)", re.MULTILINE)
FEATURES = re.compile(r"^FEATURES = \(\n(?P<names>(?:    .*\n)+)\)\n", re.MULTILINE)


class Project:
    def __init__(self, app: Flask):
        self.app = app
        self.package = app.import_name
        self.package_dir = Path(importlib.import_module(self.package).__file__).parent
        self.root = self.package_dir.parent
        # The parts this render has, as the app shows them.
        self.pages = "pages" in app.blueprints
        self.api = "api" in app.extensions
        self.admin = "admin_site" in app.extensions  # admin/__init__.py keeps it there
        conftest = self.root / "tests" / "conftest.py"
        self.fixtures = set(FIXTURE.findall(conftest.read_text())) if conftest.exists() else set()
        self.models = {
            mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers
        }

    def name_taken(self, name: str, singular: str, plural: str) -> str | None:
        """Why a resource of that name cannot be added, if it cannot."""
        if name in self.models:
            return f"the model {name} exists"
        for word in (singular, plural, f"make_{singular}"):
            if word in self.fixtures:
                return f"the tests have a fixture {word}"
        if (self.package_dir / plural).exists() or (self.package_dir / f"{plural}.py").exists():
            return f"{self.package}/{plural} exists"
        if (self.root / "tests" / plural).exists():
            return f"tests/{plural} exists"
        if plural in db.metadata.tables:
            return f"the table {plural} exists"
        if plural in self.app.blueprints or f"api_{plural}" in self.app.blueprints:
            return f"the blueprint {plural} exists"
        url = plural.replace("_", "-")
        for rule in self.app.url_map.iter_rules():
            if url in rule.rule.split("/"):
                return f"the URL {rule.rule} exists"
        return None

    def resource_named(self, field_name: str) -> Target | None:
        """The resource a `references` field of that name points at: one
        that `flask scaffold` wrote (a model of the project's own that
        belongs to an account, with its rules and pages as the project has
        them), whose singular is the field's name."""
        for name, model in self.models.items():
            if snake_case(name) == field_name and "owner_id" in model.__table__.columns:
                break
        else:
            return None
        module = model.__module__.removeprefix(f"{self.package}.").rpartition(".")[0]
        if self.pages or self.api:
            try:
                rules = importlib.import_module(f"{self.package}.{module}.ownership")
            except ModuleNotFoundError:
                return None
            if not hasattr(rules, f"owned_{field_name}"):
                return None
        if self.pages and f"{model.__tablename__}.create" not in self.app.view_functions:
            return None
        return Target(name, module, field_name, model.__tablename__)

    def head_revision(self) -> str:
        heads = ScriptDirectory(MIGRATIONS_DIR).get_heads()
        if len(heads) != 1:
            raise ScaffoldError(
                f"the migrations have {len(heads)} heads; join them first (flask db merge heads)"
            )
        return heads[0]

    def with_feature(self, plural: str) -> tuple[Path, str]:
        """The package's __init__.py with the new feature imported and last in
        FEATURES, which create_app sets up in order."""
        path = self.package_dir / "__init__.py"
        source = path.read_text()
        imports, features = IMPORTS.search(source), FEATURES.search(source)
        if not imports or not features:
            raise ScaffoldError(
                f"{self.package}/__init__.py has no `from . import (...)` or no "
                "`FEATURES = (...)` as the template wrote them; add the feature by hand"
            )
        names = imports["names"].splitlines(keepends=True)
        names.append(f"    {plural},\n")
        names.sort(key=lambda line: line.strip().lower())
        source = (
            source[: imports.start("names")]
            + "".join(names)
            + source[imports.end("names") : features.end("names")]
            + f"    {plural},\n"
            + source[features.end("names") :]
        )
        return path, source

    def example_record(self, target: Target, owner: str) -> str:
        """Code that makes a record of `target` for `owner` (an expression),
        with example values in its required columns, for the tests."""
        model = self.models[target.name]
        mapper = sa_inspect(model)
        references = {
            next(iter(relationship.local_columns)).key: relationship
            for relationship in mapper.relationships
        }
        arguments = [f"owner={owner}"]
        for column in model.__table__.columns:
            if column.key in ("id", "owner_id", "created_at", "updated_at") or column.nullable:
                continue
            if column.default is not None or column.server_default is not None:
                continue
            if column.key in references:
                relationship = references[column.key]
                other = relationship.mapper.class_.__name__
                nested = self.resource_named(relationship.key) or Target(other, "", "", "")
                arguments.append(f"{relationship.key}={self.example_record(nested, owner)}")
            else:
                arguments.append(f"{column.key}={example_value(column)}")
        return f"{target.name}({', '.join(arguments)})"

    def model_imports(self, text: str, *new: str) -> str:
        """Import lines for the models `text` uses: the project's, and the new
        ones (name, module) that are not written yet."""
        known = {name: model.__module__ for name, model in self.models.items()}
        known |= dict(zip(new[::2], new[1::2], strict=True))
        return "\n".join(
            f"from {known[name]} import {name}"
            for name in sorted(known, key=lambda name: known[name])
            if re.search(rf"\b{name}\b", text)
        )


def example_value(column) -> str:
    """An example value for a column, by its SQLAlchemy type."""
    checks = (
        (types.Boolean, "False"),
        (types.Integer, "1"),
        (types.Float, "1.5"),
        (types.Numeric, 'Decimal("1.25")'),
        (types.DateTime, "datetime(2026, 12, 7, 9, 30, tzinfo=UTC)"),
        (types.Date, "date(2026, 12, 7)"),
    )
    for column_type, value in checks:
        if isinstance(column.type, column_type):
            return value
    text = f"{column.key.replace('_', ' ').capitalize()} 1"
    return repr(fitting(text, getattr(column.type, "length", None) or len(text), 1))
