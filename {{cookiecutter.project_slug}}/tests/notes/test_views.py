import re

import pytest
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.notes.models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, Note
from {{ cookiecutter.package_name }}.notes.views import NOTES_PER_PAGE

TYPED = {
    "title": "Title 1",
    "body": "Body 1",
}
CHANGED = {
    "title": "Title 2",
    "body": "Body 2",
}
STORED = {
    "title": "Title 1",
    "body": "Body 1",
}
STORED_CHANGED = {
    "title": "Title 2",
    "body": "Body 2",
}


@pytest.fixture
def ada(make_user, log_in):
    user = make_user("ada@example.com")
    log_in("ada@example.com")
    return user


@pytest.fixture
def bobs_note(make_user, make_note):
    return make_note(make_user("bob@example.com"))


@pytest.fixture
def typed(ada):
    """What Ada types into the form, and what is stored then."""
    return TYPED, STORED


def stored(record) -> dict:
    """The note's fields as the database gives them back."""
    return {
        "title": record.title,
        "body": record.body,
    }


def add_note(client, csrf, data):
    return client.post("/notes/new", data={**data, "csrf_token": csrf("/notes/new")})


def count_notes(db_session):
    return db_session.scalar(select(func.count()).select_from(Note))


@pytest.mark.parametrize("path", ["/notes/", "/notes/new", "/notes/1", "/notes/1/edit"])
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_create_then_list_and_read_a_note(client, csrf, ada, db_session, typed):
    form, values = typed
    assert b"No notes yet." in client.get("/notes/").data
    response = add_note(client, csrf, form)
    note = db_session.scalar(select(Note))
    assert response.headers["Location"] == f"/notes/{note.id}"
    assert note.owner == ada
    assert stored(note) == values
    assert str(note).encode() in client.get("/notes/").data
    page = client.get(f"/notes/{note.id}").get_data(as_text=True)
    assert f"<h1>{form['title']}</h1>" in page
    assert f">{form['body']}</dd>" in page


def test_a_note_needs_its_title(client, csrf, ada, db_session, typed):
    form, _ = typed
    response = add_note(client, csrf, {**form, "title": ""})
    assert response.status_code == 200
    assert b"This field is required." in response.data
    assert count_notes(db_session) == 0


def test_a_note_without_the_csrf_token_is_refused(client, ada, db_session, typed):
    form, _ = typed
    assert client.post("/notes/new", data=form).status_code == 400
    assert count_notes(db_session) == 0


def test_the_list_shows_only_ones_own_notes(client, ada, make_note, bobs_note):
    mine = make_note(ada)
    page = client.get("/notes/").data
    assert f'href="/notes/{mine.id}"'.encode() in page
    assert f'href="/notes/{bobs_note.id}"'.encode() not in page


def test_edit_a_note(client, csrf, ada, db_session, typed):
    form, values = typed
    add_note(client, csrf, form)
    note = db_session.scalar(select(Note))
    link = f"/notes/{note.id}/edit"
    assert f'value="{form["title"]}"'.encode() in client.get(link).data
    changed = form | CHANGED
    response = client.post(link, data={**changed, "csrf_token": csrf(link)})
    assert response.headers["Location"] == f"/notes/{note.id}"
    db_session.refresh(note)
    assert stored(note) == values | STORED_CHANGED


def test_delete_a_note(client, csrf, ada, db_session, make_note):
    note = make_note(ada)
    assert client.post(f"/notes/{note.id}/delete").status_code == 400  # no token
    token = csrf(f"/notes/{note.id}")
    response = client.post(f"/notes/{note.id}/delete", data={"csrf_token": token})
    assert response.headers["Location"] == "/notes/"
    assert count_notes(db_session) == 0


def test_another_users_note_does_not_exist_for_you(client, csrf, ada, bobs_note, typed, db_session):
    form, _ = typed
    token = csrf("/notes/new")
    note_id, before = bobs_note.id, stored(bobs_note)
    assert client.get(f"/notes/{note_id}").status_code == 404
    assert client.get(f"/notes/{note_id}/edit").status_code == 404
    data = {**form, "csrf_token": token}
    assert client.post(f"/notes/{note_id}/edit", data=data).status_code == 404
    data = {"csrf_token": token}
    assert client.post(f"/notes/{note_id}/delete", data=data).status_code == 404
    db_session.refresh(bobs_note)
    assert stored(bobs_note) == before


def test_a_missing_note_is_404(client, ada):
    assert client.get("/notes/999").status_code == 404


@pytest.mark.parametrize("path", ["/notes/2147483648", "/notes/99999999999999999999/edit"])
def test_ids_beyond_the_database_are_not_found(client, ada, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "nul \x00 inside"),
        ("title", "bell \x07 inside"),
        ("title", "t" * (MAX_TITLE_LENGTH + 1)),
        ("body", "t" * (MAX_BODY_LENGTH + 1)),
    ],
)
def test_unstorable_or_too_long_text_is_a_form_error(
    client, csrf, ada, db_session, typed, field, value
):
    form, _ = typed
    response = add_note(client, csrf, {**form, field: value})
    assert response.status_code == 200  # the form again, with its error
    assert b'<p class="error">' in response.data
    assert count_notes(db_session) == 0


def test_the_longest_text_is_taken(client, csrf, ada, db_session, typed):
    form, _ = typed
    # Line ends and tabs are characters too.
    form = form | {"title": ("t\r\n\t" * MAX_TITLE_LENGTH)[:MAX_TITLE_LENGTH]}
    # Line ends and tabs are characters too.
    form = form | {"body": ("t\r\n\t" * MAX_BODY_LENGTH)[:MAX_BODY_LENGTH]}
    response = add_note(client, csrf, form)
    assert response.status_code == 302
    assert len(db_session.scalar(select(Note)).title) == MAX_TITLE_LENGTH
    assert len(db_session.scalar(select(Note)).body) == MAX_BODY_LENGTH


def test_private_pages_are_not_stored_by_caches(client, ada):
    assert client.get("/notes/").headers["Cache-Control"] == "no-store"


def links_on(page) -> list[str]:
    return re.findall(r'<a href="/notes/(\d+)">', page.get_data(as_text=True))


def test_the_list_comes_a_page_at_a_time(client, ada, make_note):
    count = 2 * NOTES_PER_PAGE + 5
    newest_first = [str(make_note(ada).id) for _ in range(count)][::-1]
    first = client.get("/notes/")
    assert links_on(first) == newest_first[:NOTES_PER_PAGE]
    assert b"Page 1 of 3" in first.data
    assert b'href="/notes/?page=2" rel="next"' in first.data
    assert b'rel="prev"' not in first.data

    last = client.get("/notes/?page=3")
    assert links_on(last) == newest_first[2 * NOTES_PER_PAGE :]
    assert b'href="/notes/?page=2" rel="prev"' in last.data
    assert b'rel="next"' not in last.data

    # Pages that do not exist; a page number that is not one means the first.
    for page in ("4", "0", "-1", "99999999999999999999999999"):
        assert client.get(f"/notes/?page={page}").status_code == 404, page
    assert links_on(client.get("/notes/?page=two")) == links_on(first)


def test_one_page_of_notes_has_no_page_links(client, ada, make_note):
    make_note(ada)
    page = client.get("/notes/")
    assert len(links_on(page)) == 1
    assert b"Page 1" not in page.data


# The list's query, its table's name quoted or not (SQL reserves some).
LISTED = r'(?<!\w)"?notes"?\.updated_at\b'


def test_the_list_reads_only_what_it_shows(client, ada, make_note, sql_statements):
    make_note(ada)
    with sql_statements() as statements:
        assert client.get("/notes/").status_code == 200
    listing = [statement for statement in statements if re.search(LISTED, statement)]
    assert listing, statements
    assert not [
        statement for statement in listing if re.search(r'(?<!\w)"?notes"?\."?body\b', statement)
    ]


def test_writes_are_limited_per_account(
    app, client, csrf, ada, db_session, monkeypatch, log_in, make_user, typed
):
    form, _ = typed
    monkeypatch.setitem(app.config, "WRITE_RATE_LIMIT", "3 per minute")
    assert [add_note(client, csrf, form).status_code for _ in range(2)] == [302, 302]
    note = db_session.scalars(select(Note)).first()
    edit = {**form, "csrf_token": csrf(f"/notes/{note.id}/edit")}
    assert client.post(f"/notes/{note.id}/edit", data=edit).status_code == 302

    # Creating, editing and deleting all draw on the one count.
    refused = add_note(client, csrf, form)
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
    assert add_note(client, csrf, form).status_code == 302


def test_an_account_keeps_at_most_its_quota_of_notes(
    app, client, csrf, ada, db_session, monkeypatch, typed
):
    form, _ = typed
    monkeypatch.setitem(app.config, "NOTES_PER_ACCOUNT", 2)
    assert [add_note(client, csrf, form).status_code for _ in range(2)] == [302, 302]

    refused = add_note(client, csrf, form)
    assert refused.status_code == 403
    assert b"as many notes as an account may keep" in refused.data
    assert f'value="{form["title"]}"'.encode() in refused.data  # what was typed is not lost
    assert count_notes(db_session) == 2

    # Deleting one makes room again.
    note = db_session.scalars(select(Note)).first()
    token = csrf(f"/notes/{note.id}")
    assert client.post(f"/notes/{note.id}/delete", data={"csrf_token": token}).status_code == 302
    assert add_note(client, csrf, form).status_code == 302
    assert count_notes(db_session) == 2
