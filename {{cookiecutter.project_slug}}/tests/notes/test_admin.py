import re

from sqlalchemy import select

from {{ cookiecutter.package_name }}.notes.models import Note

ADMIN = "/admin/admin_notes/"


def test_admins_edit_and_delete_anyones_note(client, admin, make_user, make_note, csrf, db_session):
    note = make_note(make_user("bob@example.com"))
    assert b"bob@example.com" in client.get(ADMIN).data
    edit = f"{ADMIN}edit/?id={note.id}"
    data = {
        "title": "Title 2",
        "body": "Body 2",
        "owner": str(note.owner_id),
        "csrf_token": csrf(edit),
    }
    assert client.post(edit, data=data).status_code == 302
    db_session.refresh(note)
    assert note.title == "Title 2"
    assert note.body == "Body 2"
    data = {"id": note.id, "csrf_token": csrf(ADMIN)}
    assert client.post(f"{ADMIN}delete/", data=data).status_code == 302
    assert db_session.scalars(select(Note)).all() == []


def test_the_list_reads_what_it_shows_and_owners_in_the_same_query(
    client, admin, make_user, make_note, sql_statements
):
    for number in range(3):
        make_note(make_user(f"owner{number}@example.com"))
    with sql_statements() as statements:
        page = client.get(ADMIN).get_data(as_text=True)
    assert all(f"owner{number}@example.com" in page for number in range(3))
    # The list's query, its table's name quoted or not (SQL reserves some).
    listing = [s for s in statements if re.search(r'(?<!\w)"?notes"?\.updated_at\b', s)]
    assert len(listing) == 1, statements
    assert not re.search(r'(?<!\w)"?notes"?\."?body\b', listing[0])
    assert "password_hash" not in listing[0]
    assert not [statement for statement in statements if "FROM users" in statement][1:], statements
