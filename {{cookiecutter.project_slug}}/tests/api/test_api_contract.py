"""The OpenAPI document: valid, complete, and honest about what is answered."""

import pytest
from openapi_spec_validator import validate

PROTECTED = [
    ("get", "/api/v1/notes"),
    ("post", "/api/v1/notes"),
    ("get", "/api/v1/notes/{note_id}"),
    ("put", "/api/v1/notes/{note_id}"),
    ("delete", "/api/v1/notes/{note_id}"),
    ("delete", "/api/v1/tokens"),
]


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_served_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_operation_is_documented(spec):
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"  # shared by the path's operations
    }
    assert documented == {*PROTECTED, ("post", "/api/v1/tokens")}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_operations_say_so_and_document_401(spec, method, path):
    operation = spec["paths"][path][method]
    assert operation["security"] == [{"bearerAuth": []}]
    assert "401" in operation["responses"]
    assert "default" in operation["responses"]


def test_input_and_lookups_document_422_and_404(spec):
    assert "422" in spec["paths"]["/api/v1/notes"]["post"]["responses"]
    assert "422" in spec["paths"]["/api/v1/notes"]["get"]["responses"]
    for method in ("get", "put", "delete"):
        assert "404" in spec["paths"]["/api/v1/notes/{note_id}"][method]["responses"]


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
