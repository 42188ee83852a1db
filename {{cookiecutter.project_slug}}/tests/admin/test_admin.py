import re

import pytest
from flask import get_flashed_messages
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.admin.views import UserView
from {{ cookiecutter.package_name }}.platform.database import db

# The admin's own pages, by the Flask-Admin view that shows them: the home,
# each model's list, and each model's form for a new record.
PAGE_VIEWS = ("index", "index_view", "create_view")


def admin_rules(app):
    """Every admin URL a browser can GET without parameters, from the URL map:
    a model added to the admin is covered here without editing this file."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin/") and "GET" in rule.methods and not rule.arguments
    ]
    return sorted(rules, key=lambda rule: rule.rule)


def admin_pages(app):
    views = [rule for rule in admin_rules(app) if rule.endpoint.rpartition(".")[2] in PAGE_VIEWS]
    return [rule.rule for rule in views]


def test_every_model_has_its_pages(app):
    pages = admin_pages(app)
    assert "/admin/" in pages
    assert {"/admin/admin_users/", "/admin/admin_users/new/"} <= set(pages)


def test_visitors_are_sent_to_log_in(app, client):
    for rule in admin_rules(app):
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/auth/login?next="), rule.rule


def test_users_who_are_not_admins_get_403(app, client, make_user, log_in):
    make_user()
    log_in()
    for rule in admin_rules(app):
        assert client.get(rule.rule).status_code == 403, rule.rule


def test_a_non_admin_cannot_post_to_the_admin(
    client, make_user, log_in, csrf, db_session, password
):
    make_user()
    log_in()
    data = {"email": "mallory@example.com", "is_admin": "y", "password": password}
    data["csrf_token"] = csrf("/notes/")
    assert client.post("/admin/admin_users/new/", data=data).status_code == 403
    assert db_session.scalar(select(User).where(User.email == "mallory@example.com")) is None


def test_admins_see_every_page_and_never_a_password_hash(app, client, admin):
    for path in admin_pages(app):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"scrypt:" not in response.data, path
        assert b"password_hash" not in response.data.lower().replace(b"-", b"_"), path


def test_admin_pages_run_no_inline_script(client, admin):
    page = client.get("/admin/admin_users/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert re.search(r'<script src="/static/[0-9a-f]{12}/admin-confirm\.js">', page)
    assert "unsafe-inline" not in client.get("/admin/").headers["Content-Security-Policy"]


def test_admin_pages_can_be_read_by_everyone(client, admin):
    page = client.get("/admin/admin_users/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert page.count("<main>") == 1
    assert re.search(r"<h1[ >]", page)
    assert '<span class="sr-only">Actions</span>' in page
    # No bulk actions: their menu needs an inline handler the policy blocks.
    assert "action-checkbox" not in page


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
    assert bob.email_verified_at is not None  # the admin vouches for the address


def test_a_new_user_needs_a_password(client, admin, csrf, db_session):
    data = {"email": "bob@example.com", "csrf_token": csrf("/admin/admin_users/new/")}
    response = client.post("/admin/admin_users/new/", data=data, follow_redirects=True)
    assert b"A new account needs a password." in response.data
    assert db_session.scalar(select(User).where(User.email == "bob@example.com")) is None


def test_admin_forms_need_the_csrf_token(client, admin, db_session, password):
    data = {"email": "bob@example.com", "password": password}
    assert client.post("/admin/admin_users/new/", data=data).status_code == 400


def new_user_form(csrf, email, password):
    return {"email": email, "password": password, "csrf_token": csrf("/admin/admin_users/new/")}


@pytest.mark.parametrize("spelling", ["bob@example.com", "BOB@example.com"])
def test_a_taken_email_is_refused_without_showing_any_sql(
    client, admin, csrf, make_user, db_session, password, spelling
):
    make_user("bob@example.com")
    data = new_user_form(csrf, spelling, password)
    response = client.post("/admin/admin_users/new/", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "An account with this email exists already." in page
    for leak in ("INSERT", "password_hash", "scrypt:", "IntegrityError", "UNIQUE"):
        assert leak not in page, leak
    assert len(db_session.scalars(select(User)).all()) == 2  # the admin and Bob


def test_an_edit_that_keeps_the_email_is_saved(
    client, admin, csrf, make_user, db_session, password
):
    bob = make_user("bob@example.com")
    edit = f"/admin/admin_users/edit/?id={bob.id}"
    data = {"email": "bob@example.com", "is_admin": "y", "password": "", "csrf_token": csrf(edit)}
    assert client.post(edit, data=data).status_code == 302
    db_session.refresh(bob)
    assert bob.is_admin
    assert bob.check_password(password)  # an empty password field keeps it


def test_an_edit_onto_a_taken_email_is_refused(client, admin, csrf, make_user, db_session):
    bob = make_user("bob@example.com")
    edit = f"/admin/admin_users/edit/?id={bob.id}"
    # Another spelling of the admin's own email: only the normalised one matches.
    data = {"email": "ROOT@Example.com", "csrf_token": csrf(edit)}
    response = client.post(edit, data=data, follow_redirects=True)
    assert b"An account with this email exists already." in response.data
    db_session.refresh(bob)
    assert bob.email == "bob@example.com"


@pytest.mark.parametrize("email", ["not an email", "bob@", "bob\x00@example.com"])
def test_an_email_that_is_not_one_is_refused(client, admin, csrf, db_session, password, email):
    data = new_user_form(csrf, email, password)
    response = client.post("/admin/admin_users/new/", data=data)
    assert response.status_code == 200  # the form again, with its error
    assert db_session.scalar(select(User).where(User.email != "root@example.com")) is None


@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=-99999999999", "page_size=-5", "search=%00", "search=a%00b", "sort=99"],
)
def test_list_pages_take_any_page_number_or_search(app, client, admin, query):
    lists = [rule.rule for rule in admin_rules(app) if rule.endpoint.endswith(".index_view")]
    assert lists
    for path in lists:
        assert client.get(f"{path}?{query}").status_code == 200, (path, query)


def test_a_database_refusal_is_flashed_without_its_statement(app):
    statement = "INSERT INTO users (email, password_hash) VALUES ('x', 'scrypt:...')"
    with app.test_request_context():
        view = UserView(User, db, endpoint="probe")
        assert view.handle_view_exception(IntegrityError(statement, {}, Exception("dup")))
        assert get_flashed_messages() == ["The database refused the change."]


@pytest.mark.parametrize(
    "url",
    ["https:evil.example", "//evil.example", "https://evil.example/", "/\\evil.example", "\r"],
)
def test_the_admin_returns_only_to_its_own_pages(client, admin, url):
    # Flask-Admin goes back to `url` after an edit or a missing record.
    response = client.get("/admin/admin_users/details/", query_string={"id": "0", "url": url})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")


def test_a_return_url_on_this_site_is_followed(client, admin):
    response = client.get("/admin/admin_users/details/?id=0&url=/admin/admin_users/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/admin_users/"
