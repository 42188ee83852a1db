"""The application factory.

`create_app` builds the app from small register steps: the core's, then each
optional feature's (features.py). Importing this package does nothing else:
no settings are read and no connection is opened until `create_app` runs.
"""

import contextlib
import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import features, health, home, models  # noqa: F401  (models: known to migrations)
from .commands import register_commands
from .config import instance_path, load_settings
from .csrf_protection import register_csrf_protection
from .database import register_database
from .errors import register_error_handlers
from .logs import RequestLog, configure_logging
from .migrations import register_migrations
from .security import SecurityHeaders
from .static_files import register_static_files

SERVICE_NAME = {{ cookiecutter.project_name | tojson }}
SERVICE_DESCRIPTION = {{ cookiecutter.description | tojson }}


class Service(Flask):
    """Flask, checking once per function that a view or hook is no coroutine:
    Flask checks on every call, and a request runs a dozen hooks."""

    def ensure_sync(self, func):
        # A bound method is made anew for each call: its function is marked.
        function = getattr(func, "__func__", func)
        if getattr(function, "_checked_synchronous", False):
            return func
        checked = super().ensure_sync(func)
        if checked is func:
            # On the function itself, so that it goes when the function does.
            with contextlib.suppress(AttributeError):  # a builtin: checked each time
                function._checked_synchronous = True
        return checked


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Create the app from `environ` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    app = Service(__name__, instance_path=instance_path(environ))
    app.config.update(
        load_settings(environ, app.instance_path),
        SERVICE_NAME=SERVICE_NAME,
        SERVICE_DESCRIPTION=SERVICE_DESCRIPTION,
    )
    configure_logging(app.config["LOG_LEVEL"])
    register_database(app)
    register_migrations(app)
    register_csrf_protection(app)
    # The layout the core's pages extend; a feature with pages may extend it.
    app.jinja_env.globals["page_layout"] = "base.html"
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    register_commands(app)
    for feature in features.installed():
        if hasattr(feature, "init_app"):
            feature.init_app(app)
    register_error_handlers(app)
    register_wsgi_middleware(app)
    return app


def register_wsgi_middleware(app: Flask) -> None:
    # Innermost first: WhiteNoise answers static files before Flask does,
    # SecurityHeaders marks every response (static ones too), RequestLog
    # times and logs each of them, and ProxyFix, outermost, gives all three
    # the client's scheme and address.
    register_static_files(app)
    app.wsgi_app = SecurityHeaders(
        app.wsgi_app,
        policy=app.config["CONTENT_SECURITY_POLICY"],
        force_https=app.config["FORCE_HTTPS"],
        public_url=app.config["PUBLIC_URL"],
    )
    app.wsgi_app = RequestLog(app.wsgi_app)
    register_proxy_fix(app)


def register_proxy_fix(app: Flask) -> None:
    # Trust the X-Forwarded-For/Proto/Port headers the router adds, so that
    # request.scheme and external URLs say https behind Heroku. The router
    # passes a client's X-Forwarded-Host through untouched: not trusted.
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)
