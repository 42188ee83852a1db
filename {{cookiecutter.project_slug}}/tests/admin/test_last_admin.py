"""The admin keeps one admin at least: the last one can neither take away
their own admin right nor delete themselves; with another, either is fine."""

from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.models import User

USERS = "/admin/admin_users/"


def edit(client, csrf, user, is_admin):
    page = f"{USERS}edit/?id={user.id}"
    data = {"email": user.email, "password": "", "csrf_token": csrf(page)}
    if is_admin:
        data["is_admin"] = "y"
    return client.post(page, data=data, follow_redirects=True)


def delete(client, csrf, user):
    data = {"id": str(user.id), "url": USERS, "csrf_token": csrf(USERS)}
    return client.post(f"{USERS}delete/", data=data, follow_redirects=True)


def admins(db_session):
    db_session.expire_all()
    return db_session.scalars(select(User.email).where(User.is_admin)).all()


def test_the_last_admin_keeps_their_admin_right(client, admin, csrf, db_session):
    response = edit(client, csrf, admin, is_admin=False)
    assert response.status_code == 200
    assert "root@example.com is the only admin" in response.get_data(as_text=True)
    assert admins(db_session) == ["root@example.com"]
    assert client.get("/admin/").status_code == 200


def test_the_last_admin_cannot_delete_themselves(client, admin, csrf, db_session):
    response = delete(client, csrf, admin)
    assert response.status_code == 200
    assert "root@example.com is the only admin" in response.get_data(as_text=True)
    assert admins(db_session) == ["root@example.com"]


def test_with_another_admin_the_right_can_be_given_up(client, admin, make_user, csrf, db_session):
    make_user("second@example.com", is_admin=True)
    edit(client, csrf, admin, is_admin=False)
    assert admins(db_session) == ["second@example.com"]


def test_with_another_admin_an_admin_may_delete_themselves(
    client, admin, make_user, csrf, db_session
):
    make_user("second@example.com", is_admin=True)
    delete(client, csrf, admin)
    assert admins(db_session) == ["second@example.com"]
    assert db_session.get(User, admin.id) is None


def test_other_accounts_are_edited_and_deleted_as_before(
    client, admin, make_user, csrf, db_session
):
    bob = make_user("bob@example.com", is_admin=True)
    edit(client, csrf, bob, is_admin=False)
    assert admins(db_session) == ["root@example.com"]
    delete(client, csrf, bob)
    db_session.expire_all()
    assert db_session.get(User, bob.id) is None
