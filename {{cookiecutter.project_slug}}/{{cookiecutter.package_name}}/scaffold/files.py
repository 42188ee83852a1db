"""The files `flask scaffold` writes: templates/ holds one folder a part of
the project (the resource itself, its rules, the pages, the admin, the API),
rendered with the resource's names and fields."""

import re
import secrets
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import fields
from .project import Project
from .resource import Resource

TEMPLATES = Path(__file__).parent / "templates"

# Other delimiters than Jinja's own, so that the page templates written can
# hold Jinja's own delimiters as they are.
environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    block_start_string="<%",
    block_end_string="%>",
    variable_start_string="<<",
    variable_end_string=">>",
    comment_start_string="<#",
    comment_end_string="#>",
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
    autoescape=False,  # noqa: S701  (it writes Python and templates, not HTML)
)


def planned(resource: Resource, project: Project) -> dict[Path, str]:
    """Each new file's path and text."""
    now = datetime.now(UTC)
    package, plural = Path(project.package), resource.plural
    code, tests = package / plural, Path("tests") / plural
    migration = f"{now:%Y_%m_%d_%H%M}_{secrets.token_hex(6)}_create_{plural}.py"
    written = {
        "resource/__init__.py": code / "__init__.py",
        "resource/models.py": code / "models.py",
        "resource/migration.py": Path("migrations") / "versions" / migration,
        "resource/conftest.py": tests / "conftest.py",
        "resource/test_models.py": tests / "test_models.py",
    }
    if project.pages or project.api:
        written["rules/ownership.py"] = code / "ownership.py"
    if project.pages:
        written |= {
            "pages/forms.py": code / "forms.py",
            "pages/views.py": code / "views.py",
            "pages/index.html": code / "templates" / plural / "index.html",
            "pages/detail.html": code / "templates" / plural / "detail.html",
            "pages/form.html": code / "templates" / plural / "form.html",
            "pages/test_views.py": tests / "test_views.py",
        }
    if project.admin:
        written |= {
            "admin/admin.py": code / "admin.py",
            "admin/test_admin.py": tests / "test_admin.py",
        }
    if project.api:
        written |= {
            "api/api.py": code / "api.py",
            "api/schemas.py": code / "schemas.py",
            "api/test_api.py": tests / "test_api.py",
        }
    context = {
        "resource": resource,
        "package": project.package,
        "pages": project.pages,
        "api": project.api,
        "admin": project.admin,
        "ownership": project.pages or project.api,
        "revision": migration.split("_")[4],
        "down_revision": project.head_revision(),
        "created": f"{now:%Y-%m-%d %H:%M}",
        "example_record": project.example_record,
        "model_imports": lambda text: project.model_imports(
            text, resource.name, f"{project.package}.{plural}.models"
        ),
    }
    return {
        project.root / path: environment.get_template(f"{template}.jinja").render(context)
        for template, path in written.items()
    }


def names_in(text: str, names: str) -> str:
    """Those of `names` (space-separated) that `text` uses, for an import line."""
    return ", ".join(name for name in names.split() if re.search(rf"\b{name}\b", text))


def comment(text: str, indent: int = 0) -> str:
    """A comment, wrapped to the project's line length."""
    return f"\n{' ' * indent}".join(
        textwrap.wrap(text, 76, initial_indent="# ", subsequent_indent="# ")
    )


def names_of_limits(resource) -> str:
    return " ".join(
        field.limit
        for field in resource.fields
        if field.type.length or field.type.name == "decimal"
    )


def std_imports(text: str) -> str:
    """The standard library's imports that `text` needs."""
    lines = []
    if names_in(text, "UTC date datetime"):
        lines.append(f"from datetime import {names_in(text, 'UTC date datetime')}")
    if names_in(text, "Decimal"):
        lines.append("from decimal import Decimal")
    return "\n".join(lines)


environment.globals |= {
    "names_in": names_in,
    "comment": comment,
    "number": fields.number,
    "model_column": fields.model_column,
    "migration_column": fields.migration_column,
    "example": fields.example,
    "names_of_limits": names_of_limits,
    "std_imports": std_imports,
}
