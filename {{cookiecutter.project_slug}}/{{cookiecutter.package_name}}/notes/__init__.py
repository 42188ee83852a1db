{%- from "parts.jinja" import parts with context -%}
"""Notes, each seen by its owner only. `flask scaffold` wrote this package
and tests/notes, when asked for

    flask scaffold Note title:str(200) body:text?

{% if parts.web_ui and parts.api -%}
The model is in models.py, the rules every way in goes by in ownership.py,
the pages in views.py, the admin's view in admin.py, the API in api.py. The
README's "Customising" says how to remove notes.
{%- elif parts.web_ui -%}
The model is in models.py, the rules every way in goes by in ownership.py,
the pages in views.py, the admin's view in admin.py. The README's
"Customising" says how to remove notes.
{%- elif parts.api -%}
The model is in models.py, the rules every way in goes by in ownership.py,
the API in api.py. The README's "Customising" says how to remove notes.
{%- else -%}
The model is in models.py. The README's "Customising" says how to remove
notes.
{%- endif %}
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
