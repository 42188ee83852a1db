"""Changing an account in the admin is as sensitive as on its own page: it
needs the admin's fresh proof, and the account's owner is told."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from {{ cookiecutter.package_name }} import mail
from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession

USERS = "/admin/admin_users/"


def edit(client, csrf, user, **fields):
    page = f"{USERS}edit/?id={user.id}"
    data = {"email": user.email, "password": "", "csrf_token": csrf(page), **fields}
    return client.post(page, data=data)


def test_a_stale_proof_changes_no_account(client, admin, make_user, csrf, db_session):
    ada = make_user("ada@example.com")
    token = csrf(USERS)
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    page = f"{USERS}edit/?id={ada.id}"
    data = {"email": "mallory@example.com", "password": "", "csrf_token": token}
    response = client.post(page, data=data)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/confirm?next=")
    deleted = client.post(f"{USERS}delete/", data={"id": str(ada.id), "csrf_token": token})
    assert deleted.status_code == 303
    db_session.expire_all()
    assert db_session.scalars(select(User.email).order_by(User.email)).all() == [
        "ada@example.com",
        "root@example.com",
    ]
    assert client.get(USERS).status_code == 200  # reading needs no fresh proof


def test_the_owner_is_told_at_the_old_address(client, admin, make_user, csrf, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, body)))
    ada = make_user("ada@example.com")
    response = edit(client, csrf, ada, email="ada@elsewhere.example", password="a new password!")
    assert response.status_code == 302
    [(to, body)] = sent
    assert to == "ada@example.com"
    assert "changed its email address and its password" in body
    assert "a new password!" not in body

    edit(client, csrf, ada, email="ADA@elsewhere.example")  # the same address: nothing to tell
    assert len(sent) == 1
