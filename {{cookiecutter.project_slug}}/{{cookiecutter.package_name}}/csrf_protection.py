"""CSRF protection for every form (Flask-WTF's): a POST, PUT, PATCH or
DELETE without the session's token is refused with 400.

Flask-WTF's own hook looks up whether the view is exempt on every request,
a GET included, before it looks at the method; this one looks at the method
first, so pages and the health check pay nothing for it.
"""

from flask import Flask, current_app, request

from .extensions import csrf


def register_csrf_protection(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # Flask-WTF's hook: this one instead
    csrf.init_app(app)
    app.before_request(protect_changes)


def protect_changes() -> None:
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)
