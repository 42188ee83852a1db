"""Celery's settings (worker/settings.py)."""

from celery import Celery

from {{ cookiecutter.package_name }} import FEATURES
from {{ cookiecutter.package_name }}.platform.settings import load_settings

STRONG_KEY = "k" * 32


def test_nothing_is_lost_and_nothing_waits_forever():
    celery = load_settings({"SECRET_KEY": STRONG_KEY}, "/srv/instance", FEATURES)["CELERY"]
    assert celery["task_acks_late"] is True
    assert celery["task_reject_on_worker_lost"] is True
    assert celery["worker_prefetch_multiplier"] == 1
    assert celery["accept_content"] == ["json"]
    assert celery["task_soft_time_limit"] < celery["task_time_limit"]
    assert celery["broker_url"] == "sqla+sqlite:////srv/instance/tasks-queue.sqlite"


def test_without_redis_the_queue_is_a_sqlite_file_of_the_instance_folder(tmp_path):
    celery = Celery(set_as_current=False)
    settings = load_settings({"SECRET_KEY": STRONG_KEY}, str(tmp_path), FEATURES)
    celery.config_from_object(settings["CELERY"])
    with celery.connection_for_write() as connection:
        assert connection.transport.driver_name == "sqlalchemy"
    assert settings["CELERY"]["broker_url"] == f"sqla+sqlite:///{tmp_path}/tasks-queue.sqlite"


def test_heroku_redis_tls_works_for_broker_and_results():
    environ = {"SECRET_KEY": STRONG_KEY, "REDIS_URL": "rediss://:pw@redis.example.com:6380"}
    celery = load_settings(environ, "/srv/instance", FEATURES)["CELERY"]
    assert celery["broker_url"] == "rediss://:pw@redis.example.com:6380"
    assert celery["result_backend"] == celery["broker_url"]
    assert celery["broker_use_ssl"] == {"ssl_cert_reqs": 0}  # ssl.CERT_NONE
    assert celery["redis_backend_use_ssl"] == celery["broker_use_ssl"]
    assert celery["broker_transport_options"]["visibility_timeout"] == 3600


def test_the_summary_schedule_can_be_shortened_for_tests():
    environ = {"SECRET_KEY": STRONG_KEY, "SUMMARY_INTERVAL_SECONDS": "2"}
    schedule = load_settings(environ, "/srv/instance", FEATURES)["CELERY"]["beat_schedule"]
    assert schedule["daily-summary"]["schedule"] == 2


def test_celerys_spelling_of_the_certificate_setting_is_understood():
    environ = {
        "SECRET_KEY": STRONG_KEY,
        "REDIS_URL": "rediss://:pw@redis.example.com:6380?ssl_cert_reqs=CERT_NONE",
    }
    celery = load_settings(environ, "/srv/instance", FEATURES)["CELERY"]
    assert celery["broker_use_ssl"] == {"ssl_cert_reqs": 0}  # ssl.CERT_NONE


def test_every_wait_on_redis_is_bounded():
    environ = {"SECRET_KEY": STRONG_KEY, "REDIS_URL": "redis://h:6379/0", "REDIS_TIMEOUT": "4"}
    celery = load_settings(environ, "/srv/instance", FEATURES)["CELERY"]
    timeouts = {"socket_timeout": 4, "socket_connect_timeout": 4}
    assert timeouts.items() <= celery["broker_transport_options"].items()
    assert celery["redis_socket_timeout"] == celery["redis_socket_connect_timeout"] == 4
    assert celery["task_publish_retry_policy"]["max_retries"] == 1


def test_only_the_test_profile_runs_tasks_eagerly():
    assert load_settings({"APP_ENV": "test"}, "/srv/instance", FEATURES)["CELERY"][
        "task_always_eager"
    ]
    celery = load_settings({"SECRET_KEY": STRONG_KEY}, "/srv/instance", FEATURES)["CELERY"]
    assert celery["task_always_eager"] is False
