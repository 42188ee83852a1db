from {{ cookiecutter.package_name }}.config import load_settings
from {{ cookiecutter.package_name }}.limits import limiter


def test_attempts_are_counted_where_redis_url_says():
    def storage(**environ):
        return load_settings({"APP_ENV": "test", **environ}, "instance")["RATELIMIT_STORAGE_URI"]

    assert storage() == "memory://"
    assert storage(REDIS_URL="redis://h:6379/0") == "redis://h:6379/0"
    assert storage(REDIS_URL="rediss://:p@h:6380") == "rediss://:p@h:6380"


def test_attempts_are_counted_through_the_apps_redis_client(make_app):
    # Its pool carries REDIS_TIMEOUT and, for rediss://, the TLS settings.
    app = make_app(REDIS_URL="rediss://:p@127.0.0.1:1/0", REDIS_TIMEOUT="4")
    pool = app.extensions["redis"].connection_pool
    assert limiter.storage.storage.connection_pool is pool
    assert pool.connection_kwargs["socket_timeout"] == 4
    assert pool.connection_kwargs["ssl_cert_reqs"] == "none"
