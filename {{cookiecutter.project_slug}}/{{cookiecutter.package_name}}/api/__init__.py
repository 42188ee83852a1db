"""The JSON API: flask-smorest blueprints under /api/v1.

Its contract, OpenAPI 3, is built from the views and their schemas and
served at /api/openapi.json; /api/docs shows it as a page.
"""

from datetime import timedelta

from flask import Flask
from flask_smorest import Api
from flask_smorest.pagination import PaginationMetadataSchema

from ..environment import int_setting
from ..errors import answer_json_under
from ..extensions import csrf
from . import docs, models, notes, tokens  # noqa: F401  (models: known to migrations)
from .schemas import ErrorSchema

API_VERSION = "1"
OPENAPI_VERSION = "3.0.3"


class ServiceApi(Api):
    """flask-smorest's Api, leaving error answers to errors.py.

    The app's own error handler answers JSON under /api/ (see init_app);
    the document describes that body (ErrorSchema) for every error status.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass

    def _register_pagination_header(self):
        # X-Pagination holds a JSON object. OpenAPI 3 says so with `content`;
        # a bare `schema` would mean comma-separated key,value pairs.
        self.spec.components.schema("PaginationMetadata", schema=PaginationMetadataSchema)
        metadata = {"$ref": "#/components/schemas/PaginationMetadata"}
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as JSON.",
                "content": {"application/json": {"schema": metadata}},
            },
        )


def settings(environ, config) -> dict:
    return {
        # The API (flask-smorest): its OpenAPI document at /api/openapi.json.
        "OPENAPI_URL_PREFIX": "/api",
        "API_TOKEN_LIFETIME": timedelta(hours=int_setting(environ, "API_TOKEN_HOURS", 24)),
    }


def init_app(app: Flask) -> None:
    answer_json_under(app, "/api/")
    api = ServiceApi(
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
    for blueprint in (tokens.bp, notes.bp):
        # No CSRF tokens here: the API authenticates with a bearer token that
        # the client sends itself, never with a cookie that a browser would
        # attach to a forged cross-site request.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
