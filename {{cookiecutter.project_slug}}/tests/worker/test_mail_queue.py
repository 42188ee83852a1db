"""Mail sent through the worker (mail_queue.py): present when the project
has both the web pages and the worker."""

import logging
import smtplib
import time

import pytest
from kombu.exceptions import OperationalError

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.mail import queue as mail_queue
from {{ cookiecutter.package_name }}.mail import send_email


def test_send_email_is_queued_and_delivered(app, caplog):
    caplog.set_level(logging.INFO)
    with app.app_context():
        send_email("ada@example.com", "Hello", "Body")
    (record,) = [r for r in caplog.records if r.name.endswith(".mail")]
    assert record.fields["to"] == "ada@example.com"


EMAIL_ARGS = ["a@example.com", "Subject", "Body", "<1@example.com>"]


@pytest.mark.parametrize(
    ("error", "attempts"),
    [
        (smtplib.SMTPConnectError(421, "try again later"), 1 + mail_queue.send_email.max_retries),
        (TimeoutError("timed out"), 1 + mail_queue.send_email.max_retries),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), 1),
    ],
)
def test_send_email_retries_transient_failures_only(make_app, monkeypatch, error, attempts):
    calls = []

    def fail(*args, **kwargs):
        calls.append(args)
        raise error

    monkeypatch.setattr(smtplib, "SMTP", fail)
    app = make_app(SMTP_URL="smtp://mail.example.com:587")
    app.extensions["celery"].conf.task_eager_propagates = False
    with app.app_context():
        # Run eagerly, retries follow at once instead of after their countdown.
        assert mail_queue.send_email.apply(args=EMAIL_ARGS).state == "FAILURE"
    assert len(calls) == attempts


def test_send_email_backs_off_with_jitter():
    assert mail_queue.send_email.retry_backoff is True
    assert mail_queue.send_email.retry_jitter is True
    assert mail_queue.send_email.retry_backoff_max == 600


def test_a_task_sent_while_the_queue_is_down_fails_fast(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    app.extensions["celery"].conf.task_always_eager = False
    # The broker's error, after its short publish retries: with no result
    # kept, the result store (and its 20 s of reconnect retries) stays out.
    with app.app_context(), pytest.raises(OperationalError):
        mail_queue.send_email.delay("a@example.com", "s", "b", "<1@example.com>")


def test_mail_keeps_no_result():
    assert mail_queue.send_email.ignore_result is True


def test_a_mail_that_cannot_be_queued_raises_mail_not_sent(make_app):
    # Nothing listens on port 1: the queue is unreachable.
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    app.extensions["celery"].conf.task_always_eager = False
    started = time.monotonic()
    with app.app_context(), pytest.raises(mail.MailNotSent):
        mail.send_email("ada@example.com", "Hello", "A body.")
    assert time.monotonic() - started < 10


@pytest.mark.integration
def test_send_email_goes_through_a_real_worker(worker):
    app, log = worker
    with app.app_context():
        # send_email keeps no result: its delivery shows in the worker's log.
        mail_queue.send_email.delay("ada@example.com", "Hi", "Body", "<1@example.com>")
    deadline = time.monotonic() + 30
    while "to=ada@example.com" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
