"""The JSON API: flask-smorest blueprints under /api/v1.

Its contract, OpenAPI 3, is built from the views and their schemas and
served at /api/openapi.json; /api/docs shows it as a page. A resource adds
its own blueprint with `add_blueprint` (notes/api.py does).
"""

from datetime import timedelta

import flask_smorest
from flask import Flask

from ..platform.environment import Setting, whole_number
from ..platform.extending import answer_json_under
from ..platform.security import csrf
from . import docs, models, tokens  # noqa: F401  (models: known to migrations)
from .pagination import PageMetadataSchema
from .schemas import ErrorSchema

API_VERSION = "1"
OPENAPI_VERSION = "3.0.3"


class Api(flask_smorest.Api):
    # Every error answer has the platform's body (platform/errors.py, which
    # answers the errors: its handler is registered after this one's).
    ERROR_SCHEMA = ErrorSchema


API_TOKEN_HOURS = Setting(
    "API_TOKEN_HOURS",
    "Hours an API token (POST /api/v1/tokens) stays valid.",
    default="24",
    parse=whole_number,
    on_heroku=True,
    heroku_value="24",
)

SETTINGS = (API_TOKEN_HOURS,)


def settings(environ, config) -> dict:
    return {
        # The API (flask-smorest): its OpenAPI document at /api/openapi.json.
        "OPENAPI_URL_PREFIX": "/api",
        "API_TOKEN_LIFETIME": timedelta(hours=API_TOKEN_HOURS.read(environ)),
    }


def init_app(app: Flask) -> None:
    answer_json_under(app, "/api/")
    api = Api(
        app,
        spec_kwargs={
            "title": app.config["SERVICE_NAME"],
            "version": API_VERSION,
            "openapi_version": OPENAPI_VERSION,
            "info": {"description": app.config["SERVICE_DESCRIPTION"]},
        },
    )
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.schema("PageMetadata", schema=PageMetadataSchema)
    app.extensions["api"] = api
    add_blueprint(app, tokens.bp)
    app.register_blueprint(docs.bp)


def add_blueprint(app: Flask, blueprint: flask_smorest.Blueprint) -> None:
    """Serve `blueprint` as part of the API, and describe it in the document."""
    # No CSRF tokens here: the API authenticates with a bearer token that the
    # client sends itself, never with a cookie that a browser would attach
    # to a forged cross-site request.
    csrf.exempt(blueprint)
    app.extensions["api"].register_blueprint(blueprint)
