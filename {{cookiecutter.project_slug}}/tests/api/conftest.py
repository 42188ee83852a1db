"""Fixtures for the API: an account, and a bearer token for it."""

import pytest

from {{ cookiecutter.package_name }}.limits import limiter


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


@pytest.fixture(autouse=True)
def count_attempts_afresh(make_app):
    """Each test starts with no attempts counted, in memory. The limiter is
    one object for every app, set up by the last one made: after a test that
    made an app on Redis, make one on the test settings again."""
    if type(limiter.storage).__name__ != "MemoryStorage":
        make_app()
    limiter.reset()
