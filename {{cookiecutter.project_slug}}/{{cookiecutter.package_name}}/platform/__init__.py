"""The platform: what every service needs and rarely changes.

Settings, the database and its migrations, logs, request bodies within a
deadline, security headers and CSRF, error answers, the health check, static
files, the release phase and `flask check`. A feature plugs into it through
the functions of extending.py.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    checks,
    database,
    errors,
    health,
    home,
    migrations,
    release,
    request_bodies,
    security,
    settings_files,
)
from .extending import registered, use_page_layout
from .logs import RequestLog, configure_logging
from .static_files import serve_static_files


def init_app(app: Flask) -> None:
    """Set the platform up, before the features."""
    configure_logging(app.config["LOG_LEVEL"])
    request_bodies.init_app(app)
    database.init_app(app)
    migrations.init_app(app)
    security.init_app(app)
    use_page_layout(app, "base.html")
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    app.cli.add_command(checks.check_command)
    app.cli.add_command(release.release_command)
    app.cli.add_command(settings_files.settings_group)


def finish_app(app: Flask) -> None:
    """After the features: the error answers, and the WSGI middleware that
    wraps everything, innermost first. WhiteNoise answers static files
    before Flask does, RequestBodyDeadline reads each request's body first,
    within REQUEST_BODY_SECONDS (408 when it is late), SecurityHeaders marks
    every response (static ones too), RequestLog times and logs each of
    them, and ProxyFix, outermost, gives all four the client's scheme and
    address."""
    errors.init_app(app)
    serve_static_files(app)
    app.wsgi_app = request_bodies.RequestBodyDeadline(
        app.wsgi_app,
        seconds=app.config["REQUEST_BODY_SECONDS"],
        max_length=app.config["MAX_CONTENT_LENGTH"],
        threads=app.config["WEB_THREADS"],
    )
    app.wsgi_app = security.SecurityHeaders(
        app.wsgi_app,
        policy=app.config["CONTENT_SECURITY_POLICY"],
        force_https=app.config["FORCE_HTTPS"],
        public_url=app.config["PUBLIC_URL"],
    )
    app.wsgi_app = RequestLog(app.wsgi_app, tuple(registered(app).secret_path_prefixes))
    # Trust the X-Forwarded-For/Proto/Port headers the router adds, so that
    # request.scheme and external URLs say https behind Heroku. The router
    # passes a client's X-Forwarded-Host through untouched: not trusted.
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_port=hops)
