{%- from "parts.jinja" import parts with context -%}
"""The application factory.

`create_app` builds the app: the platform (platform/), then each feature in
FEATURES, in order. Importing this package does nothing else: no settings
are read and no connection is opened until `create_app` runs.
"""

import os
from collections.abc import Mapping

from flask import Flask

from . import (
    accounts,
{%- if parts.web_ui %}
    admin,
{%- endif %}
{%- if parts.api %}
    api,
{%- endif %}
{%- if parts.web_ui %}
    mail,
{%- endif %}
    notes,
{%- if parts.web_ui %}
    pages,
{%- endif %}
    platform,
    scaffold,
{%- if parts.worker %}
    worker,
{%- endif %}
)
{%- if parts.web_ui %}
from .accounts import changes as account_changes
{%- endif %}
{%- if parts.limits %}
from .accounts import limits{% if parts.web_ui %}, passkeys, second_factors, sudo, two_factor{% endif %}
{%- endif %}
{%- if parts.web_ui %}
from .accounts import profile as account_page
from .accounts import sessions as login_sessions
from .accounts import views as account_views
{%- endif %}
{%- if parts.token_pages %}
from .api import token_pages
{%- endif %}
{%- if parts.mail_queue %}
from .mail import queue as mail_queue
{%- endif %}
{%- if parts.redis_connection %}
from .platform import redis_client
{%- endif %}
from .platform.settings import instance_path, load_settings

{{ cookiecutter.project_name | python_assignment("SERVICE_NAME") }}
{{ cookiecutter.description | python_assignment("SERVICE_DESCRIPTION") }}

# What the service is made of, in the order each is set up: a module with a
# `settings(environ, config)` function adds its settings, and its
# `init_app(app)` its views, commands and checks.
FEATURES = (
{%- if parts.redis_connection %}
    redis_client,
{%- endif %}
    accounts,
{%- if parts.limits %}
    limits,
{%- endif %}
{%- if parts.web_ui %}
    mail,
    pages,
    login_sessions,
    account_views,
    account_page,
    sudo,
    two_factor,
    account_changes,
    passkeys,
    second_factors,
    admin,
{%- endif %}
{%- if parts.api %}
    api,
{%- endif %}
{%- if parts.token_pages %}
    token_pages,
{%- endif %}
{%- if parts.worker %}
    worker,
{%- endif %}
{%- if parts.mail_queue %}
    mail_queue,
{%- endif %}
    scaffold,
    notes,
)


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Create the app from `environ` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    app = Flask(__name__, instance_path=instance_path(environ))
    app.config.from_mapping(
        load_settings(environ, app.instance_path, FEATURES),
        SERVICE_NAME=SERVICE_NAME,
        SERVICE_DESCRIPTION=SERVICE_DESCRIPTION,
    )
    platform.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    platform.finish_app(app)
    return app
