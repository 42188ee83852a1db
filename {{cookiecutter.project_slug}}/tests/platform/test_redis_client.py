from {{ cookiecutter.package_name }} import FEATURES
from {{ cookiecutter.package_name }}.platform.settings import load_settings


def settings(**environ):
    return load_settings({"APP_ENV": "test", **environ}, "instance", FEATURES)


def test_redis_is_optional(app):
    assert settings()["REDIS_URL"] == ""
    assert "redis" not in app.extensions  # no client: the embedded defaults serve


def test_every_redis_client_waits_at_most_redis_timeout():
    options = settings(REDIS_URL="redis://h:6379/0", REDIS_TIMEOUT="4")["REDIS_OPTIONS"]
    assert options == {"socket_timeout": 4, "socket_connect_timeout": 4}


def test_heroku_redis_tls_accepts_its_self_signed_certificate():
    url = "rediss://:pw@ec2-1-2-3-4.compute-1.amazonaws.com:6380"
    config = settings(REDIS_URL=url)
    assert config["REDIS_URL"] == url  # the URL is kept as it is
    assert config["REDIS_OPTIONS"]["ssl_cert_reqs"] == "none"
    assert "ssl_cert_reqs" not in settings(REDIS_URL="redis://h:6379/0")["REDIS_OPTIONS"]


def test_the_app_keeps_one_pooled_client(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    client = app.extensions["redis"]
    assert client.connection_pool.connection_kwargs["socket_timeout"] == 2
