"""An account's tokens through the API: named when asked for, listed with
their last use (written at most once a minute), revoked one by one; another
account's are out of reach."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.api.models import ApiToken

PASSWORD = "correct horse battery"  # the password make_user gives


def new_token(client, email="ada@example.com", **body):
    response = client.post("/api/v1/tokens", auth=(email, PASSWORD), json=body or None)
    assert response.status_code == 201, response.json
    return response.json


def bearer_of(token):
    return {"Authorization": f"Bearer {token['token']}"}


def last_used(db_session, token_id):
    db_session.expire_all()
    return db_session.get(ApiToken, token_id).last_used_at


def test_a_token_takes_the_name_it_is_given(client, user, db_session):
    made = new_token(client, name="Backup script")
    assert made["name"] == "Backup script"
    assert db_session.get(ApiToken, made["id"]).name == "Backup script"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 61},
        {"name": 7},
        {"name": None},
        {"name": "a\x00b"},
        {"name": "ok", "owner": 2},
        ["name"],
    ],
)
def test_a_bad_name_is_422_and_makes_no_token(client, user, password, db_session, body):
    response = client.post("/api/v1/tokens", auth=(user.email, password), json=body)
    assert response.status_code == 422, response.json
    assert db_session.scalars(select(ApiToken)).all() == []


def test_the_list_holds_the_accounts_live_tokens_newest_first(client, user, make_user, db_session):
    first = new_token(client, name="Laptop")
    second = new_token(client, name="Server")
    expired = new_token(client, name="Old one")
    db_session.execute(
        update(ApiToken)
        .where(ApiToken.id == expired["id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db_session.commit()
    make_user("bob@example.com")
    new_token(client, "bob@example.com", name="Bob's")
    response = client.get("/api/v1/tokens", headers=bearer_of(first))
    assert response.status_code == 200
    assert [token["name"] for token in response.json] == ["Server", "Laptop"]
    listed = response.json[0]
    assert set(listed) == {"id", "name", "created_at", "expires_at", "last_used_at"}
    assert listed["id"] == second["id"]
    assert listed["expires_at"] == second["expires_at"]
    assert second["token"] not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_use_is_recorded_at_most_once_a_minute(client, user, db_session, sql_statements):
    made = new_token(client)
    assert last_used(db_session, made["id"]) is None
    assert client.get("/api/v1/notes", headers=bearer_of(made)).status_code == 200
    first_use = last_used(db_session, made["id"])
    assert first_use is not None
    with sql_statements() as statements:
        client.get("/api/v1/notes", headers=bearer_of(made))
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert last_used(db_session, made["id"]) == first_use
    listed = client.get("/api/v1/tokens", headers=bearer_of(made)).json
    assert listed[0]["last_used_at"] is not None
    # A minute on, the next request records it again.
    a_while_ago = datetime.now(UTC) - timedelta(minutes=2)
    db_session.execute(update(ApiToken).values(last_used_at=a_while_ago))
    db_session.commit()
    client.get("/api/v1/notes", headers=bearer_of(made))
    moved = last_used(db_session, made["id"])
    assert moved.replace(tzinfo=UTC) > a_while_ago + timedelta(minutes=1)


def test_a_refused_token_records_no_use(client, user, db_session):
    made = new_token(client)
    db_session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db_session.commit()
    assert client.get("/api/v1/notes", headers=bearer_of(made)).status_code == 401
    assert last_used(db_session, made["id"]) is None


def test_one_token_is_revoked_by_its_id(client, user, db_session):
    kept = new_token(client, name="Kept")
    revoked = new_token(client, name="Revoked")
    response = client.delete(f"/api/v1/tokens/{revoked['id']}", headers=bearer_of(kept))
    assert response.status_code == 204
    assert client.get("/api/v1/notes", headers=bearer_of(revoked)).status_code == 401
    assert client.get("/api/v1/notes", headers=bearer_of(kept)).status_code == 200
    again = client.delete(f"/api/v1/tokens/{revoked['id']}", headers=bearer_of(kept))
    assert again.status_code == 404


def test_a_token_may_revoke_itself_by_its_id(client, user):
    made = new_token(client)
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=bearer_of(made)).status_code == 204
    assert client.get("/api/v1/tokens", headers=bearer_of(made)).status_code == 401


def test_another_accounts_token_is_404_and_keeps_working(client, user, make_user, db_session):
    mine = new_token(client)
    make_user("bob@example.com")
    bobs = new_token(client, "bob@example.com")
    response = client.delete(f"/api/v1/tokens/{bobs['id']}", headers=bearer_of(mine))
    assert response.status_code == 404
    assert response.json["message"] == f"You have no token {bobs['id']}."
    missing = client.delete("/api/v1/tokens/2147483647", headers=bearer_of(mine))
    assert missing.status_code == 404
    assert client.get("/api/v1/notes", headers=bearer_of(bobs)).status_code == 200


def test_listing_and_revoking_need_a_token(client, user):
    made = new_token(client)
    assert client.get("/api/v1/tokens").status_code == 401
    assert client.delete(f"/api/v1/tokens/{made['id']}").status_code == 401
    assert client.get("/api/v1/notes", headers=bearer_of(made)).status_code == 200


def test_the_document_describes_the_token_operations(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/v1/tokens"]) >= {"post", "get", "delete"}
    assert "requestBody" in paths["/api/v1/tokens"]["post"]
    assert {"204", "401", "404"} <= set(paths["/api/v1/tokens/{token_id}"]["delete"]["responses"])
