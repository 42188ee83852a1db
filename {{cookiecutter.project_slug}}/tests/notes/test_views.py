import re

import pytest
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.notes.models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, Note
from {{ cookiecutter.package_name }}.notes.views import NOTES_PER_PAGE


@pytest.fixture
def ada(make_user, log_in):
    user = make_user("ada@example.com")
    log_in("ada@example.com")
    return user


@pytest.fixture
def bobs_note(make_user, db_session):
    bob = make_user("bob@example.com")
    note = Note(title="Bob's secret", body="not for Ada", owner=bob)
    db_session.add(note)
    db_session.commit()
    return note


def add_note(client, csrf, title="Groceries", body="eggs"):
    data = {"title": title, "body": body, "csrf_token": csrf("/notes/new")}
    return client.post("/notes/new", data=data)


@pytest.mark.parametrize("path", ["/notes/", "/notes/new", "/notes/1", "/notes/1/edit"])
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_create_then_list_and_read_a_note(client, csrf, ada, db_session):
    assert b"No notes yet." in client.get("/notes/").data
    response = add_note(client, csrf)
    note = db_session.scalar(select(Note))
    assert response.headers["Location"] == f"/notes/{note.id}"
    assert note.owner == ada
    assert b"Groceries" in client.get("/notes/").data
    assert b"eggs" in client.get(f"/notes/{note.id}").data


def test_a_note_needs_a_title(client, csrf, ada, db_session):
    response = add_note(client, csrf, title="")
    assert response.status_code == 200
    assert b"This field is required." in response.data
    assert db_session.scalars(select(Note)).all() == []


def test_a_note_without_the_csrf_token_is_refused(client, ada, db_session):
    assert client.post("/notes/new", data={"title": "x"}).status_code == 400
    assert db_session.scalars(select(Note)).all() == []


def test_the_list_shows_only_ones_own_notes(client, csrf, ada, bobs_note):
    add_note(client, csrf, title="Ada's own")
    page = client.get("/notes/").data
    assert b"Ada&#39;s own" in page
    assert b"Bob&#39;s secret" not in page


def test_edit_a_note(client, csrf, ada, db_session):
    add_note(client, csrf)
    note = db_session.scalar(select(Note))
    link = f"/notes/{note.id}/edit"
    assert b'value="Groceries"' in client.get(link).data
    data = {"title": "Shopping", "body": "milk", "csrf_token": csrf(link)}
    assert client.post(link, data=data).headers["Location"] == f"/notes/{note.id}"
    db_session.refresh(note)
    assert (note.title, note.body) == ("Shopping", "milk")


def test_delete_a_note(client, csrf, ada, db_session):
    add_note(client, csrf)
    note = db_session.scalar(select(Note))
    assert client.post(f"/notes/{note.id}/delete").status_code == 400  # no token
    token = csrf(f"/notes/{note.id}")
    response = client.post(f"/notes/{note.id}/delete", data={"csrf_token": token})
    assert response.headers["Location"] == "/notes/"
    assert db_session.scalars(select(Note)).all() == []


def test_another_users_note_does_not_exist_for_you(client, csrf, ada, bobs_note, db_session):
    token = csrf("/notes/new")
    note_id = bobs_note.id
    assert client.get(f"/notes/{note_id}").status_code == 404
    assert client.get(f"/notes/{note_id}/edit").status_code == 404
    data = {"title": "hijacked", "csrf_token": token}
    assert client.post(f"/notes/{note_id}/edit", data=data).status_code == 404
    assert client.post(f"/notes/{note_id}/delete", data={"csrf_token": token}).status_code == 404
    db_session.refresh(bobs_note)
    assert bobs_note.title == "Bob's secret"


def test_a_missing_note_is_404(client, ada):
    assert client.get("/notes/999").status_code == 404


@pytest.mark.parametrize("path", ["/notes/2147483648", "/notes/99999999999999999999/edit"])
def test_ids_beyond_the_database_are_not_found(client, ada, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("nul \x00 inside", "fine"),
        ("fine", "bell \x07 inside"),
        ("t" * (MAX_TITLE_LENGTH + 1), ""),
        ("t", "b" * (MAX_BODY_LENGTH + 1)),
    ],
)
def test_unstorable_or_too_long_text_is_a_form_error(client, csrf, ada, db_session, title, body):
    response = add_note(client, csrf, title=title, body=body)
    assert response.status_code == 200  # the form again, with its error
    assert b'<p class="error">' in response.data
    assert db_session.scalars(select(Note)).all() == []


def test_the_longest_title_and_body_are_taken(client, csrf, ada, db_session):
    body = "b\r\n\t" * (MAX_BODY_LENGTH // 4)  # line ends and tabs are characters too
    response = add_note(client, csrf, title="t" * MAX_TITLE_LENGTH, body=body)
    assert response.status_code == 302
    assert len(db_session.scalar(select(Note)).body) == MAX_BODY_LENGTH


def test_private_pages_are_not_stored_by_caches(client, ada):
    assert client.get("/notes/").headers["Cache-Control"] == "no-store"


def titles_on(page) -> list[str]:
    return re.findall(r'<a href="/notes/\d+">([^<]*)</a>', page.get_data(as_text=True))


def test_the_list_comes_a_page_at_a_time(client, ada, db_session):
    count = 2 * NOTES_PER_PAGE + 5
    db_session.add_all(Note(title=f"Note {n:03}", owner=ada) for n in range(count))
    db_session.commit()

    newest_first = [f"Note {n:03}" for n in reversed(range(count))]
    first = client.get("/notes/")
    assert titles_on(first) == newest_first[:NOTES_PER_PAGE]
    assert b"Page 1 of 3" in first.data
    assert b'href="/notes/?page=2" rel="next"' in first.data
    assert b'rel="prev"' not in first.data

    last = client.get("/notes/?page=3")
    assert titles_on(last) == newest_first[2 * NOTES_PER_PAGE :]
    assert b'href="/notes/?page=2" rel="prev"' in last.data
    assert b'rel="next"' not in last.data

    # Pages that do not exist; a page number that is not one means the first.
    for page in ("4", "0", "-1", "99999999999999999999999999"):
        assert client.get(f"/notes/?page={page}").status_code == 404, page
    assert titles_on(client.get("/notes/?page=two")) == titles_on(first)


def test_one_page_of_notes_has_no_page_links(client, csrf, ada):
    add_note(client, csrf)
    page = client.get("/notes/")
    assert b"Groceries" in page.data
    assert b"Page 1" not in page.data


def test_the_list_reads_titles_not_bodies(client, ada, db_session, sql_statements):
    db_session.add(Note(title="Groceries", body="eggs " * 4000, owner=ada))
    db_session.commit()
    with sql_statements() as statements:
        assert b"Groceries" in client.get("/notes/").data
    listing = [statement for statement in statements if "notes.title" in statement]
    assert listing, statements
    assert not [statement for statement in listing if "notes.body" in statement], listing


def count_notes(db_session):
    return db_session.scalar(select(func.count()).select_from(Note))


def test_writes_are_limited_per_account(
    app, client, csrf, ada, db_session, monkeypatch, log_in, make_user
):
    monkeypatch.setitem(app.config, "WRITE_RATE_LIMIT", "3 per minute")
    assert [add_note(client, csrf, title=f"n{n}").status_code for n in range(2)] == [302, 302]
    note = db_session.scalar(select(Note).where(Note.title == "n0"))
    edit = {"title": "edited", "body": "", "csrf_token": csrf(f"/notes/{note.id}/edit")}
    assert client.post(f"/notes/{note.id}/edit", data=edit).status_code == 302

    # Creating, editing and deleting all draw on the one count.
    refused = add_note(client, csrf, title="one too many")
    assert refused.status_code == 429
    assert b"Too many changes" in refused.data
    assert int(refused.headers["Retry-After"]) > 0
    token = csrf(f"/notes/{note.id}")
    assert client.post(f"/notes/{note.id}/delete", data={"csrf_token": token}).status_code == 429
    assert count_notes(db_session) == 2
    assert client.get("/notes/").status_code == 200  # reading is not limited

    # Another account writes on.
    client.post("/auth/logout", data={"csrf_token": csrf("/notes/")})
    make_user("bob@example.com")
    log_in("bob@example.com")
    assert add_note(client, csrf, title="Bob's").status_code == 302


def test_an_account_keeps_at_most_its_quota_of_notes(
    app, client, csrf, ada, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTES_PER_ACCOUNT", 2)
    assert [add_note(client, csrf, title=f"n{n}").status_code for n in range(2)] == [302, 302]

    refused = add_note(client, csrf, title="a third", body="kept in the form")
    assert refused.status_code == 403
    assert b"as many notes as an account may keep" in refused.data
    assert b'value="a third"' in refused.data  # what was typed is not lost
    assert b"kept in the form" in refused.data
    assert count_notes(db_session) == 2

    # Deleting one makes room again.
    note = db_session.scalar(select(Note).where(Note.title == "n0"))
    token = csrf(f"/notes/{note.id}")
    assert client.post(f"/notes/{note.id}/delete", data={"csrf_token": token}).status_code == 302
    assert add_note(client, csrf, title="a third").status_code == 302
    assert count_notes(db_session) == 2
