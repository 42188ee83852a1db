"""Fixtures for the web pages: forms' CSRF tokens, and logging in."""

import re

import pytest

from {{ cookiecutter.package_name }}.limits import limiter

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def csrf(client):
    """The CSRF token of the form at a URL, as a browser would send it back."""

    def token(url):
        page = client.get(url).get_data(as_text=True)
        return CSRF_TOKEN.search(page).group(1)

    return token


@pytest.fixture
def log_in(client, csrf, password):
    """Log the test client in through the login form."""

    def log_in(email="ada@example.com", password=password):
        data = {"email": email, "password": password, "csrf_token": csrf("/auth/login")}
        return client.post("/auth/login", data=data)

    return log_in


@pytest.fixture(autouse=True)
def count_attempts_afresh(make_app):
    """Each test starts with no attempts counted, in memory. The limiter is
    one object for every app, set up by the last one made: after a test that
    made an app on Redis, make one on the test settings again."""
    if type(limiter.storage).__name__ != "MemoryStorage":
        make_app()
    limiter.reset()
