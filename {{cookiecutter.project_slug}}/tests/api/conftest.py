"""Fixtures for the API: an account, and a bearer token for it."""

import pytest

from tests.limits.fixtures import count_attempts_afresh  # noqa: F401  (autouse)


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def token(client, user, password):
    response = client.post("/api/v1/tokens", auth=(user.email, password))
    assert response.status_code == 201, response.json
    return response.json["token"]


@pytest.fixture
def bearer(token):
    return {"Authorization": f"Bearer {token}"}
