{%- from "parts.jinja" import parts with context -%}
"""With email verification on (the web pages' EMAIL_VERIFICATION), an
account whose address is not confirmed gets a token, but 403 for the data."""

import pytest


@pytest.fixture
def verification_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION", True)


def test_an_unconfirmed_account_gets_403_with_a_clear_message(
    client, make_user, password, verification_on
):
    make_user(verified=False)
    token = client.post("/api/v1/tokens", auth=("ada@example.com", password)).json["token"]
    response = client.get("/api/v1/notes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "Confirm your account's email address" in response.json["message"]
{%- if parts.web_ui %}
    assert "to have another one sent" in response.json["message"]  # the resend
{%- endif %}


def test_a_confirmed_account_is_let_in(client, bearer, verification_on):
    assert client.get("/api/v1/notes", headers=bearer).status_code == 200


def test_protected_operations_document_403(client):
    spec = client.get("/api/openapi.json").json
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters" and operation.get("security") == [{"bearerAuth": []}]:
                assert "403" in operation["responses"], (method, path)
