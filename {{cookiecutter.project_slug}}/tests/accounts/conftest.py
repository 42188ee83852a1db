"""The accounts' pages' fixture: the mail they send, kept."""

import pytest

from {{ cookiecutter.package_name }} import mail


@pytest.fixture
def outbox(monkeypatch):
    """The messages sent through mail.send_email, instead of sending them."""
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, body)))
    return sent
