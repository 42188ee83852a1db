"""The OpenAPI document: valid, complete, and honest about what is answered.

The operations come from the app's URL map, so a resource added to the API
is held to the same rules without editing this file.
"""

import re

import pytest
from openapi_spec_validator import validate

# The one operation called without a bearer token: it trades an email and a
# password (HTTP Basic) for one.
PUBLIC = {("post", "/api/v1/tokens")}
# A parameter in a URL rule, as Werkzeug spells it: <converter(args):name>.
RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def served_operations(app) -> set[tuple[str, str]]:
    """(method, path) of every API operation the app serves, paths spelled
    as OpenAPI spells them ({note_id})."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = RULE_PARAMETER.sub(r"{\1}", rule.rule)
            operations |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def protected_operations(app):
    return sorted(served_operations(app) - PUBLIC)


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_served_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_operation_is_documented(app, spec):
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"  # shared by the path's operations
    }
    assert documented == served_operations(app)
    assert documented >= PUBLIC
    assert ("get", "/api/v1/notes/{note_id}") in documented


def test_protected_operations_say_so_and_document_401(app, spec):
    for method, path in protected_operations(app):
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        assert "401" in operation["responses"], (method, path)
        assert "default" in operation["responses"], (method, path)


def test_protected_operations_refuse_a_request_without_a_token(app, client):
    for method, path in protected_operations(app):
        url = re.sub(r"{[^}]+}", "1", path)
        response = client.open(url, method=method.upper(), json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), (method, path)


def test_an_id_no_record_can_have_is_refused_in_every_operation(app, client, bearer):
    # Beyond what the database's ids hold: the router answers, before the
    # database driver could overflow (a 500). Werkzeug says 405 where the
    # path matched another method's rule before the id was checked.
    for method, path in protected_operations(app):
        if "{" in path:
            url = re.sub(r"{[^}]+}", str(2**63), path)
            response = client.open(url, method=method.upper(), json={}, headers=bearer)
            assert response.status_code in (404, 405), (method, path)
            assert response.json["message"], (method, path)


def test_input_and_lookups_document_422_and_404(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = item.get("parameters", []) + operation.get("parameters", [])
            if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
                assert "422" in operation["responses"], (method, path)
            if any(p["in"] == "path" for p in parameters):
                assert "404" in operation["responses"], (method, path)


def test_the_error_schema_is_what_errors_really_look_like(client, spec, bearer):
    schema = spec["components"]["schemas"]["Error"]
    body = client.post("/api/v1/notes", json={}, headers=bearer).json
    assert set(schema["required"]) <= set(body) <= set(schema["properties"])


def test_the_docs_page_needs_no_script_or_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/notes/{note_id}" in page
    assert "<script" not in page
    assert "https://" not in page


def test_api_paths_answer_json_by_default(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
