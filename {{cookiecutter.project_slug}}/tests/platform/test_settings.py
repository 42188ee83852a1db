import pytest

from {{ cookiecutter.package_name }}.platform.settings import (
    INSECURE_SECRET_KEY,
    ConfigError,
    load_settings,
    parse_database_url,
)

STRONG_KEY = "k" * 32


def settings(**environ):
    return load_settings(environ, "/srv/app/instance")


def test_production_is_the_default_profile():
    config = settings(SECRET_KEY=STRONG_KEY)
    assert config["APP_ENV"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_a_missing_secret_key():
    with pytest.raises(ConfigError) as refused:
        settings(APP_ENV="production")
    message = str(refused.value)
    assert "SECRET_KEY is not set" in message
    assert "\n" not in message


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY is 31 characters long"):
        settings(SECRET_KEY="k" * 31)


def test_production_refuses_the_public_development_key():
    with pytest.raises(ConfigError, match="SECRET_KEY is the public development key"):
        settings(SECRET_KEY=INSECURE_SECRET_KEY)


def test_an_unknown_log_level_is_refused():
    with pytest.raises(ConfigError, match="LOG_LEVEL is 'verbose'; use one of DEBUG"):
        settings(SECRET_KEY=STRONG_KEY, LOG_LEVEL="verbose")


def test_config_error_exits_without_a_traceback():
    # gunicorn, flask and manage.py stop with the message alone.
    assert issubclass(ConfigError, SystemExit)
    assert ConfigError("boom").code == "error: boom"


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigError, match="APP_ENV is 'staging'"):
        settings(APP_ENV="staging", SECRET_KEY=STRONG_KEY)


def test_development_falls_back_to_embedded_defaults():
    config = settings(APP_ENV="development")
    assert config["SECRET_KEY"] == INSECURE_SECRET_KEY
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["DATABASE"].is_sqlite
    assert config["DATABASE"].sqlite_file == "/srv/app/instance/app.db"
    assert config["SQLALCHEMY_DATABASE_URI"] == config["DATABASE"].url


def test_test_profile_uses_an_in_memory_database():
    config = settings(APP_ENV="test")
    assert config["TESTING"] is True
    assert config["DATABASE"].is_sqlite
    assert config["DATABASE"].sqlite_file is None


def test_heroku_postgres_url_is_rewritten_for_psycopg_with_tls():
    url = parse_database_url("postgres://user:pw@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8x")
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "ec2-1-2-3-4.compute-1.amazonaws.com"
    assert url.password == "pw"
    assert url.query["sslmode"] == "require"


def test_local_postgres_needs_no_tls():
    url = parse_database_url("postgresql://postgres@127.0.0.1:5432/test")
    assert url.drivername == "postgresql+psycopg"
    assert "sslmode" not in url.query


def test_an_explicit_sslmode_is_kept():
    url = parse_database_url("postgres://u:p@db.example.com/d?sslmode=verify-full")
    assert url.query["sslmode"] == "verify-full"


def test_postgres_pool_is_sized_from_web_threads():
    config = settings(
        SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://u:p@db.example.com/d", WEB_THREADS="8"
    )
    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "pool_pre_ping" not in options  # idle connections only: see database.py
    assert options["pool_size"] == 8
    assert options["max_overflow"] == 0


def test_a_bad_number_names_its_variable():
    with pytest.raises(ConfigError, match="WEB_THREADS is 'many'"):
        settings(SECRET_KEY=STRONG_KEY, WEB_THREADS="many")


def test_log_level_is_read_in_any_case():
    assert settings(SECRET_KEY=STRONG_KEY, LOG_LEVEL="debug")["LOG_LEVEL"] == "DEBUG"
