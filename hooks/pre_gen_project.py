"""Refuse answers that would render a broken project.

Each check is a small pure function that returns an error message, or None
when the answer is fine; the template's tests import and unit-test them.
On the first bad answer the hook prints one line and exits 1, and cookiecutter
removes the directory it had started.
"""

import json
import keyword
import re
import sys

# The answers arrive as JSON inside a raw string: Jinja's tojson escapes every
# quote character, so no answer can end the literal early.
ANSWERS = r"""{{ cookiecutter | tojson }}"""

SUPPORTED_PYTHONS = ("3.12", "3.13", "3.14")
SLUG_MAX_LENGTH = 30  # Heroku's limit for app names

# The top-level modules the generated project's venv holds (`uv sync`: every
# dependency group, every option chosen; tests/test_render.py checks this
# list against a real one), and the names of its own files: a package with
# one of these names would shadow them.
TAKEN_MODULE_NAMES = frozenset(
    {
        "OpenSSL", "_cffi_backend", "_hypothesis_ftz_detector", "_hypothesis_globals",
        "_hypothesis_pytestplugin", "_pytest", "_yaml", "alembic", "amqp", "annotated_types",
        "apispec", "attr", "attrs", "billiard", "blinker", "cbor2", "celery", "cffi", "click",
        "click_didyoumean", "click_plugins", "click_repl", "cryptography", "dateutil",
        "deprecated", "dns", "dotenv", "email_validator", "execnet", "flask", "flask_admin",
        "flask_limiter", "flask_login", "flask_migrate", "flask_smorest", "flask_sqlalchemy",
        "flask_wtf", "greenlet", "gunicorn", "honcho", "hypothesis", "idna", "iniconfig",
        "itsdangerous", "jinja2", "jsonschema", "jsonschema_path", "jsonschema_specifications",
        "kombu", "lazy_object_proxy", "limits", "mako", "markupsafe", "marshmallow",
        "openapi_schema_validator", "openapi_spec_validator", "ordered_set", "packaging",
        "pathable", "pluggy", "prompt_toolkit", "psycopg", "psycopg_binary", "py", "pyasn1",
        "pyasn1_modules", "pycparser", "pydantic", "pydantic_core", "pydantic_settings",
        "pygments", "pyotp", "pytest", "pytest_randomly", "redis", "referencing",
        "rfc3339_validator", "rpds", "ruff", "segno", "six", "sortedcontainers", "sqlalchemy",
        "typing_extensions", "typing_inspection", "tzlocal", "vine", "wcwidth", "webargs",
        "webauthn", "werkzeug", "whitenoise", "wrapt", "wtforms", "xdist", "yaml",
        # the generated project's own top-level names
        "manage", "migrations", "tests", "wsgi",
    }
)

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9-]*")
IDENTIFIER_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def check_project_name(name):
    if not name.strip():
        return "project_name: must not be empty"
    if not name.isprintable():
        return f"project_name: {name!r} has control characters; use one line of text"
    return None


def suggest_slug(slug):
    """A Heroku app name close to `slug`, to offer in place of a bad one."""
    words = re.findall(r"[a-z0-9]+", slug.lower())
    suggestion = "-".join(words)[:SLUG_MAX_LENGTH].strip("-")
    if not suggestion:
        return "my-service"
    if not suggestion[0].isalpha():
        suggestion = f"app-{suggestion}"[:SLUG_MAX_LENGTH].strip("-")
    return suggestion


def check_project_slug(slug):
    allowed = (
        "a lowercase letter first, then lowercase letters, digits and dashes, "
        f"no dash at the end, {SLUG_MAX_LENGTH} characters at most"
    )
    if (
        not SLUG_PATTERN.fullmatch(slug)
        or slug.endswith("-")
        or len(slug) > SLUG_MAX_LENGTH
    ):
        return (
            f"project_slug: {slug!r} is not a Heroku app name ({allowed}); "
            f"type one such as {suggest_slug(slug)!r}"
        )
    return None


def package_name_problem(name):
    """Why `name` cannot be the package's name, or None when it can."""
    if not IDENTIFIER_PATTERN.fullmatch(name):
        return (
            "is not importable (lowercase letters, digits and underscores, "
            "not starting with a digit)"
        )
    if keyword.iskeyword(name):
        return "is a Python keyword"
    if name in sys.stdlib_module_names:
        return "would shadow the standard library module of that name"
    if name in TAKEN_MODULE_NAMES:
        return "would shadow a module the project uses"
    return None


def suggest_package_name(name):
    """An importable, unshadowed name close to `name`."""
    suggestion = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "service"
    if suggestion[0].isdigit():
        suggestion = f"app_{suggestion}"
    while package_name_problem(suggestion):
        suggestion = f"{suggestion}_app"
    return suggestion


def check_package_name(name):
    problem = package_name_problem(name)
    if problem:
        return (
            f"package_name: {name!r} {problem}; "
            f"type one such as {suggest_package_name(name)!r}"
        )
    return None


def check_description(text):
    if not text.isprintable():
        return f"description: {text!r} has control characters; use one line of text"
    return None


def check_author_email(email):
    if not EMAIL_PATTERN.fullmatch(email):
        return f"author_email: {email!r} is not an email address; use name@example.com"
    return None


def check_python_version(version):
    if version not in SUPPORTED_PYTHONS:
        choices = ", ".join(SUPPORTED_PYTHONS)
        return f"python_version: {version!r} is not supported; choose one of {choices}"
    return None


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": check_description,
    "author_email": check_author_email,
    "python_version": check_python_version,
}


def first_error(answers):
    """The message for the first bad answer, in prompt order, or None."""
    for field, check in CHECKS.items():
        error = check(str(answers.get(field, "")))
        if error:
            return error
    return None


def main():
    error = first_error(json.loads(ANSWERS))
    if error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
