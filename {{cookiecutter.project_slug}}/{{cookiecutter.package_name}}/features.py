"""The optional features, in the order they are set up.

A feature is a module (or package) of this one with a `settings(environ,
config)` function, whose dictionary joins the app's settings, and an
`init_app(app)` function, which registers its extensions, blueprints,
commands and checks; it may have either or both. A feature that was not
chosen when the project was generated has no files, and is skipped: to drop
one later, delete its files (the README's "Where things are" lists them).
"""

import functools
import importlib
import importlib.util
from types import ModuleType

OPTIONAL = (
    "redis_connection",  # for the worker and the limits
    "limits",  # for the web pages and the API
    "mail",  # for the web pages
    "web_ui",
    "api",
    "worker",
    "mail_queue",  # mail sent through the worker, when there are both
)


@functools.cache
def installed() -> tuple[ModuleType, ...]:
    modules = []
    for name in OPTIONAL:
        qualified = f"{__package__}.{name}"
        if importlib.util.find_spec(qualified) is not None:
            modules.append(importlib.import_module(qualified))
    return tuple(modules)
