import os

import pytest

from {{ cookiecutter.package_name }} import FEATURES
from {{ cookiecutter.package_name }}.accounts.limits import client_network, limiter, per_address
from {{ cookiecutter.package_name }}.platform.security import csrf
from {{ cookiecutter.package_name }}.platform.settings import load_settings


def test_attempts_are_counted_where_redis_url_says():
    def storage(**environ):
        return load_settings({"APP_ENV": "test", **environ}, "instance", FEATURES)[
            "RATELIMIT_STORAGE_URI"
        ]

    assert storage() == "memory://"
    assert storage(REDIS_URL="redis://h:6379/0") == "redis://h:6379/0"
    assert storage(REDIS_URL="rediss://:p@h:6380") == "rediss://:p@h:6380"


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),  # counted as sent
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(app, address, client):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        assert client_network() == client


def test_attempts_are_counted_through_the_apps_redis_client(make_app):
    # Its pool carries REDIS_TIMEOUT and, for rediss://, the TLS settings.
    app = make_app(REDIS_URL="rediss://:p@127.0.0.1:1/0", REDIS_TIMEOUT="4")
    pool = app.extensions["redis"].connection_pool
    assert limiter.storage.storage.connection_pool is pool
    assert pool.connection_kwargs["socket_timeout"] == 4
    assert pool.connection_kwargs["ssl_cert_reqs"] == "none"


def test_attempts_are_counted_in_redis_when_it_is_set(make_app):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        reason = "TEST_REDIS_URL is not set: no Redis to count attempts in"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: real services are required)")
        pytest.skip(reason)
    app = make_app(REDIS_URL=url, LOGIN_RATE_LIMIT="2 per minute")

    @app.post("/attempt")
    @csrf.exempt
    @per_address("LOGIN_RATE_LIMIT")
    def attempt():
        return "counted"

    assert type(limiter.storage).__name__ == "RedisStorage"
    limiter.reset()  # counts left by an earlier run
    try:
        statuses = [app.test_client().post("/attempt").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        limiter.reset()  # make_app then gives the next tests in-memory counts again
