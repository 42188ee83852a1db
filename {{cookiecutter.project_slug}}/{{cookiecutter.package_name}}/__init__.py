"""The application factory.

`create_app` builds the app from small register steps. Importing this package
does nothing else: no settings are read and no connection is opened until
`create_app` runs.
"""

import os
from collections.abc import Mapping

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from . import {% if cookiecutter.use_web_ui %}auth, {% endif %}health, home, models{% if cookiecutter.use_web_ui %}, notes{% endif %}  # noqa: F401  (models: known to migrations)
{%- if cookiecutter.use_web_ui %}
from .admin import register_admin
{%- endif %}
{%- if cookiecutter.use_api %}
from .api import register_api
{%- endif %}
{%- if cookiecutter.use_celery %}
from .celery_app import check_broker, init_celery
{%- endif %}
from .commands import register_commands
from .config import instance_path, load_settings
from .database import register_database_guards
from .errors import register_error_handlers
from .extensions import (
    csrf,
    db,
    enforce_sqlite_foreign_keys,
{%- if cookiecutter.use_web_ui %}
    login_manager,
{%- endif %}
    migrate,
)
{%- if cookiecutter.use_web_ui or cookiecutter.use_api %}
from .limits import init_limits
{%- endif %}
from .logs import configure_logging, register_request_logging
from .security import SecurityHeaders
from .static_files import register_static_files

SERVICE_NAME = {{ cookiecutter.project_name | tojson }}
SERVICE_DESCRIPTION = {{ cookiecutter.description | tojson }}
MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), os.pardir, "migrations")


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Create the app from `environ` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    app = Flask(__name__, instance_path=instance_path(environ))
    app.config.update(
        load_settings(environ, app.instance_path),
        SERVICE_NAME=SERVICE_NAME,
        SERVICE_DESCRIPTION=SERVICE_DESCRIPTION,
    )
    configure_logging(app.config["LOG_LEVEL"])
    # First, so every request is timed and gets an id, even one that an
    # extension's before_request refuses (CSRF).
    register_request_logging(app)
    register_extensions(app)
    register_blueprints(app)
{%- if cookiecutter.use_celery %}
    register_tasks(app)
{%- endif %}
    register_error_handlers(app)
    register_commands(app)
    register_wsgi_middleware(app)
    return app


def register_wsgi_middleware(app: Flask) -> None:
    # Innermost first: WhiteNoise answers static files before Flask does,
    # SecurityHeaders marks every response (static ones too), and ProxyFix,
    # outermost, gives both the client's scheme and address.
    register_static_files(app)
    app.wsgi_app = SecurityHeaders(
        app.wsgi_app,
        force_https=app.config["FORCE_HTTPS"],
        public_url=app.config["PUBLIC_URL"],
    )
    register_proxy_fix(app)


def register_proxy_fix(app: Flask) -> None:
    # Trust the X-Forwarded-For/Proto/Port headers the router adds, so that
    # request.scheme and external URLs say https behind Heroku. The router
    # passes a client's X-Forwarded-Host through untouched: not trusted.
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)


def register_extensions(app: Flask) -> None:
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.get_backend_name() == "sqlite" and database.database:
        os.makedirs(os.path.dirname(os.path.abspath(database.database)), exist_ok=True)
    db.init_app(app)
    if database.get_backend_name() == "sqlite":
        with app.app_context():
            event.listen(db.engine, "connect", enforce_sqlite_foreign_keys)
    register_database_guards(app)
    migrate.init_app(app, db, directory=os.path.abspath(MIGRATIONS_DIR))
    csrf.init_app(app)
{%- if cookiecutter.use_web_ui %}
    login_manager.init_app(app)
{%- endif %}
{%- if cookiecutter.use_web_ui or cookiecutter.use_api %}
    init_limits(app)
{%- endif %}


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
{%- if cookiecutter.use_web_ui %}
    app.register_blueprint(auth.bp)
    app.register_blueprint(notes.bp)
    register_admin(app)
{%- endif %}
    health.register_health_check(app, "database", health.check_database)
{%- if cookiecutter.use_api %}
    register_api(app)
{%- endif %}
{%- if cookiecutter.use_celery %}


def register_tasks(app: Flask) -> None:
    init_celery(app)
    health.register_health_check(app, "broker", check_broker)
{%- endif %}
