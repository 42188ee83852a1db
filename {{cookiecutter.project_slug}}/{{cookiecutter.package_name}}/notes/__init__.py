{%- from "parts.jinja" import parts with context -%}
"""Notes: the example resource, each note seen by its owner only.

Everything about notes is in this package, and its tests are in
tests/notes: copy both to start a resource of your own, or delete them (and
the line in create_app's FEATURES) once you have one.
"""

from flask import Flask

from . import (
{%- if parts.web_ui %}
    admin,
{%- endif %}
{%- if parts.api %}
    api,
{%- endif %}
    models,  # noqa: F401  (known to migrations)
{%- if parts.web_ui %}
    views,
{%- endif %}
)
{%- if parts.ownership %}
from .ownership import SETTINGS, settings

__all__ = ["SETTINGS", "init_app", "settings"]
{%- endif %}


def init_app(app: Flask) -> None:
{%- if parts.web_ui %}
    views.init_app(app)
    admin.init_app(app)
{%- endif %}
{%- if parts.api %}
    api.init_app(app)
{%- endif %}
{%- if not (parts.web_ui or parts.api) %}
    """Nothing to set up: without pages or an API, notes are only a model."""
{%- endif %}
