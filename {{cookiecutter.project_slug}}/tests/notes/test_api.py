import json

import pytest
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.accounts.models import User
from {{ cookiecutter.package_name }}.notes.models import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, Note

URL = "/api/v1/notes"

EXAMPLE = {
    "title": "Title 1",
    "body": "Body 1",
}
CHANGED = {
    "title": "Title 2",
    "body": "Body 2",
}


@pytest.fixture
def example(user, db_session):
    """A note as a client sends it."""
    return EXAMPLE


@pytest.fixture
def note(make_note, user):
    return make_note(user)


@pytest.fixture
def strangers_note(make_note, make_user):
    return make_note(make_user("eve@example.com"))


def create(client, bearer, fields):
    return client.post("/api/v1/notes", json=fields, headers=bearer)


def count_notes(db_session):
    return db_session.scalar(select(func.count()).select_from(Note))


def test_create_a_note(client, bearer, example):
    response = create(client, bearer, example)
    assert response.status_code == 201
    assert response.json == {
        **example,
        "id": response.json["id"],
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert response.json["created_at"].endswith("+00:00")


def test_optional_fields_may_be_left_out(client, bearer, example):
    response = create(
        client, bearer, {name: value for name, value in example.items() if name not in ["body"]}
    )
    assert response.status_code == 201
    assert response.json["body"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "x" * (MAX_TITLE_LENGTH + 1)}, "title"),
        ({"title": 5}, "title"),
        ({"title": "nul \x00 inside"}, "title"),
        ({"title": "lone \ud800 surrogate"}, "title"),
        ({"body": "x" * (MAX_BODY_LENGTH + 1)}, "body"),
        ({"body": 5}, "body"),
        ({"body": "nul \x00 inside"}, "body"),
        ({"body": "lone \ud800 surrogate"}, "body"),
        ({"owner_id": 2}, "owner_id"),
    ],
)
def test_invalid_input_is_422_with_the_field_errors(client, bearer, example, change, field):
    response = create(client, bearer, example | change)
    assert response.status_code == 422
    assert response.json["code"] == 422
    assert field in response.json["errors"]["json"]


def test_the_longest_text_is_taken(client, bearer, example):
    longest = example | {
        "title": "t" * MAX_TITLE_LENGTH,
        "body": "t" * MAX_BODY_LENGTH,
    }
    response = create(client, bearer, longest)
    assert response.status_code == 201
    assert response.json["title"] == longest["title"]
    assert response.json["body"] == longest["body"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        b'{"title": ' + b"9" * 5000 + b"}",  # more digits than Python converts
        b'{"title": "unterminated',
        b"\xff\xfe not UTF-8",
    ],
)
def test_json_python_cannot_read_is_400(client, bearer, body):
    headers = {**bearer, "Content-Type": "application/json"}
    response = client.post("/api/v1/notes", data=body, headers=headers)
    assert response.status_code == 400
    assert response.json["errors"] == {"json": ["Invalid JSON body."]}


def test_a_body_over_the_limit_is_413_unread(client, bearer):
    body = b'{"title": "' + b"x" * (1024 * 1024) + b'"}'
    headers = {**bearer, "Content-Type": "application/json"}
    response = client.post("/api/v1/notes", data=body, headers=headers)
    assert response.status_code == 413
    assert set(response.json) == {"code", "status", "message", "request_id"}


def test_api_answers_are_not_stored_by_caches(client, bearer, note):
    assert client.get("/api/v1/notes", headers=bearer).headers["Cache-Control"] == "no-store"


def test_a_body_that_is_not_json_is_refused(client, bearer):
    response = client.post(
        "/api/v1/notes", data="x=1", headers={**bearer, "Content-Type": "text/plain"}
    )
    assert response.status_code == 422


def test_get_a_note(client, bearer, note):
    response = client.get(f"/api/v1/notes/{note.id}", headers=bearer)
    assert response.status_code == 200
    assert response.json["id"] == note.id
    assert response.json["title"] == EXAMPLE["title"]
    assert response.json["body"] == EXAMPLE["body"]


def test_replace_a_note(client, bearer, note, example):
    response = client.put(f"/api/v1/notes/{note.id}", json=example | CHANGED, headers=bearer)
    assert response.status_code == 200
    assert {name: response.json[name] for name in CHANGED} == CHANGED


def test_an_invalid_replacement_changes_nothing(client, bearer, note, example):
    url = f"/api/v1/notes/{note.id}"
    before = client.get(url, headers=bearer).json
    response = client.put(url, json=example | {"title": None}, headers=bearer)
    assert response.status_code == 422
    assert client.get(url, headers=bearer).json == before


def test_delete_a_note(client, bearer, note):
    response = client.delete(f"/api/v1/notes/{note.id}", headers=bearer)
    assert response.status_code == 204
    assert client.get(f"/api/v1/notes/{note.id}", headers=bearer).status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_accounts_note_is_not_found(client, bearer, strangers_note, example, method):
    response = getattr(client, method)(
        f"/api/v1/notes/{strangers_note.id}", json=example, headers=bearer
    )
    assert response.status_code == 404
    assert response.json["code"] == 404


@pytest.mark.parametrize("note_id", [999999, 2147483648, 10**30])
def test_a_missing_or_impossible_id_is_not_found(client, bearer, note_id):
    assert client.get(f"/api/v1/notes/{note_id}", headers=bearer).status_code == 404


def test_the_list_has_only_my_notes(client, bearer, note, strangers_note):
    response = client.get("/api/v1/notes", headers=bearer)
    assert response.status_code == 200
    assert [item["id"] for item in response.json] == [note.id]


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_list_needs_a_token(client, method):
    response = getattr(client, method)("/api/v1/notes", json={})
    assert response.status_code == 401


def test_the_list_is_paginated(client, bearer, make_note, user):
    for _ in range(25):
        make_note(user)
    response = client.get("/api/v1/notes?page=2&page_size=10", headers=bearer)
    assert response.status_code == 200
    assert len(response.json) == 10
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination == {
        "total": 25,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }
    assert response.headers["Link"] == ", ".join(
        [
            f'<http://localhost{URL}?page=1&page_size=10>; rel="first"',
            f'<http://localhost{URL}?page=3&page_size=10>; rel="last"',
            f'<http://localhost{URL}?page=1&page_size=10>; rel="prev"',
            f'<http://localhost{URL}?page=3&page_size=10>; rel="next"',
        ]
    )
    last = client.get("/api/v1/notes?page=3&page_size=10", headers=bearer)
    assert len(last.json) == 5
    assert "next_page" not in json.loads(last.headers["X-Pagination"])
    assert 'rel="next"' not in last.headers["Link"]


def test_following_next_links_visits_every_note_once(client, bearer, make_note, user):
    for _ in range(7):
        make_note(user)
    url, seen = "/api/v1/notes?page_size=3", []
    while url:
        response = client.get(url, headers=bearer)
        seen += [item["id"] for item in response.json]
        url = next_link(response.headers["Link"])
    assert len(seen) == len(set(seen)) == 7


def next_link(header):
    for link in header.split(", "):
        target, _, rel = link.partition("; ")
        if rel == 'rel="next"':
            return target.strip("<>")
    return None


def test_pages_past_the_end_are_empty(client, bearer, note):
    response = client.get(f"/api/v1/notes?page={10**20}", headers=bearer)
    assert response.status_code == 200
    assert response.json == []


@pytest.mark.parametrize("query", ["page=0", "page_size=101", "page=x"])
def test_bad_pagination_is_422(client, bearer, query):
    response = client.get(f"/api/v1/notes?{query}", headers=bearer)
    assert response.status_code == 422
    assert "query" in response.json["errors"]


def test_writes_are_limited_per_account(
    app, client, bearer, note, example, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "WRITE_RATE_LIMIT", "3 per minute")
    url = f"/api/v1/notes/{note.id}"
    assert create(client, bearer, example).status_code == 201
    assert client.put(url, json=example | CHANGED, headers=bearer).status_code == 200
    assert create(client, bearer, example).status_code == 201

    # Creating, replacing and deleting all draw on the one count.
    for method in ("post", "put", "delete"):
        refused = client.open(
            "/api/v1/notes" if method == "post" else url,
            method=method.upper(),
            json=example,
            headers=bearer,
        )
        assert refused.status_code == 429, method
        assert refused.json["code"] == 429
        assert int(refused.headers["Retry-After"]) > 0
    assert count_notes(db_session) == 3
    assert client.get(url, headers=bearer).status_code == 200  # reading is not limited

    # Another account writes on.
    db_session.add(User(email="bob@example.com", password="bob's long password", verified=True))
    db_session.commit()
    bobs = client.post("/api/v1/tokens", auth=("bob@example.com", "bob's long password"))
    headers = {"Authorization": f"Bearer {bobs.json['token']}"}
    assert create(client, headers, example).status_code == 201


def test_an_account_keeps_at_most_its_quota_of_notes(
    app, client, bearer, note, example, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTES_PER_ACCOUNT", 2)
    assert create(client, bearer, example).status_code == 201
    refused = create(client, bearer, example)
    assert refused.status_code == 403
    assert refused.json["code"] == 403
    assert "as many notes as an account may keep" in refused.json["message"]
    assert count_notes(db_session) == 2

    # Replacing one needs no room; deleting one makes room again.
    url = f"/api/v1/notes/{note.id}"
    assert client.put(url, json=example | CHANGED, headers=bearer).status_code == 200
    assert client.delete(url, headers=bearer).status_code == 204
    assert create(client, bearer, example).status_code == 201
    assert count_notes(db_session) == 2


def test_the_document_says_what_limits_writes(client):
    paths = client.get("/api/openapi.json").json["paths"]
    many, one = paths["/api/v1/notes"], paths["/api/v1/notes/{note_id}"]
    for operation in (many["post"], one["put"], one["delete"]):
        assert "429" in operation["responses"], operation["summary"]
    assert "as many notes as it may" in many["post"]["responses"]["403"]["description"]
    for operation in (many["get"], one["get"]):
        assert "429" not in operation["responses"], operation["summary"]
        # A read's only 403 is an account whose address is not confirmed.
        forbidden = operation["responses"]["403"]["description"]
        assert forbidden == "The account's email address is not confirmed", operation["summary"]
