import re

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.models import Note, User

ADMIN_PAGES = ["/admin/", "/admin/admin_users/", "/admin/admin_notes/", "/admin/admin_users/new/"]


@pytest.fixture
def admin(make_user, log_in):
    user = make_user("root@example.com", is_admin=True)
    log_in("root@example.com")
    return user


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_users_who_are_not_admins_get_403(client, make_user, log_in, path):
    make_user()
    log_in()
    assert client.get(path).status_code == 403


def test_a_non_admin_cannot_post_to_the_admin(
    client, make_user, log_in, csrf, db_session, password
):
    make_user()
    log_in()
    data = {"email": "mallory@example.com", "is_admin": "y", "password": password}
    data["csrf_token"] = csrf("/notes/")
    assert client.post("/admin/admin_users/new/", data=data).status_code == 403
    assert db_session.scalar(select(User).where(User.email == "mallory@example.com")) is None


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admins_see_every_page_and_never_a_password_hash(client, admin, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"scrypt:" not in response.data
    assert b"password_hash" not in response.data.lower().replace(b"-", b"_")


def test_admin_pages_run_no_inline_script(client, admin):
    page = client.get("/admin/admin_users/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert re.search(r'<script src="/static/admin-confirm\.[0-9a-f]{12}\.js">', page)
    assert "unsafe-inline" not in client.get("/admin/").headers["Content-Security-Policy"]


def test_admins_create_a_user_with_a_password(client, admin, csrf, db_session, password):
    data = {
        "email": "Bob@Example.com",
        "password": password,
        "csrf_token": csrf("/admin/admin_users/new/"),
    }
    response = client.post("/admin/admin_users/new/", data=data)
    assert response.status_code == 302
    bob = db_session.scalar(select(User).where(User.email == "bob@example.com"))
    assert bob.check_password(password)
    assert not bob.is_admin


def test_a_new_user_needs_a_password(client, admin, csrf, db_session):
    data = {"email": "bob@example.com", "csrf_token": csrf("/admin/admin_users/new/")}
    response = client.post("/admin/admin_users/new/", data=data, follow_redirects=True)
    assert b"A new account needs a password." in response.data
    assert db_session.scalar(select(User).where(User.email == "bob@example.com")) is None


def test_admin_forms_need_the_csrf_token(client, admin, db_session, password):
    data = {"email": "bob@example.com", "password": password}
    assert client.post("/admin/admin_users/new/", data=data).status_code == 400


def test_admins_edit_and_delete_anyones_note(client, admin, make_user, csrf, db_session):
    bob = make_user("bob@example.com")
    note = Note(title="Bob's", body="", owner=bob)
    db_session.add(note)
    db_session.commit()
    assert b"bob@example.com" in client.get("/admin/admin_notes/").data
    edit = f"/admin/admin_notes/edit/?id={note.id}"
    data = {"title": "Edited", "body": "by an admin", "owner": bob.id, "csrf_token": csrf(edit)}
    assert client.post(edit, data=data).status_code == 302
    db_session.refresh(note)
    assert note.title == "Edited"
    data = {"id": note.id, "csrf_token": csrf("/admin/admin_notes/")}
    assert client.post("/admin/admin_notes/delete/", data=data).status_code == 302
    assert db_session.scalars(select(Note)).all() == []
