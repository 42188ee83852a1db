"""Fixtures for the web pages: forms' CSRF tokens, and logging in."""

import re

import pytest

from tests.limits.fixtures import count_attempts_afresh  # noqa: F401  (autouse)

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
