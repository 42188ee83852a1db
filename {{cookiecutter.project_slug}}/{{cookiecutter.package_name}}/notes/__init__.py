{%- from "parts.jinja" import web_ui, api with context -%}
"""Notes: the example resource, each note seen by its owner only.

Everything about notes is in this package, and its tests are in
tests/notes: copy both to start a resource of your own, or delete them (and
the line in create_app's FEATURES) once you have one.
"""

from flask import Flask

from . import (
{%- if web_ui %}
    admin,
{%- endif %}
{%- if api %}
    api,
{%- endif %}
    models,  # noqa: F401  (known to migrations)
{%- if web_ui %}
    views,
{%- endif %}
)


def init_app(app: Flask) -> None:
{%- if web_ui %}
    views.init_app(app)
    admin.init_app(app)
{%- endif %}
{%- if api %}
    api.init_app(app)
{%- endif %}
{%- if not (web_ui or api) %}
    """Nothing to set up: without pages or an API, notes are only a model."""
{%- endif %}
