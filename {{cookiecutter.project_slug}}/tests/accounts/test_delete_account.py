{%- from "parts.jinja" import parts with context -%}
"""`flask delete-account`: an account and everything it owns, gone in one
transaction; never the last admin."""

from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.accounts.models import User
{%- if parts.api %}
from {{ cookiecutter.package_name }}.api.credentials import issue_token
from {{ cookiecutter.package_name }}.api.models import ApiToken
{%- endif %}
from {{ cookiecutter.package_name }}.notes.models import Note


def count(db_session, model, *conditions):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_the_command_deletes_the_account_and_what_it_owns(runner, make_user, db_session):
    ada = make_user()
    bob = make_user("bob@example.com")
    for owner in (ada, bob):
        db_session.add(Note(owner_id=owner.id, title=f"{owner.email}'s"))
    db_session.commit()
{%- if parts.api %}
    issue_token(ada)
    issue_token(bob)
{%- endif %}
    result = runner.invoke(args=["delete-account", "--email", "Ada@Example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted ada@example.com" in result.output
    assert count(db_session, User, User.id == ada.id) == 0
    assert count(db_session, Note, Note.owner_id == ada.id) == 0
    assert count(db_session, Note, Note.owner_id == bob.id) == 1
{%- if parts.api %}
    assert count(db_session, ApiToken, ApiToken.user_id == ada.id) == 0
    assert count(db_session, ApiToken, ApiToken.user_id == bob.id) == 1
{%- endif %}


def test_the_command_asks_first(runner, user, db_session):
    kept = runner.invoke(args=["delete-account", "--email", "ada@example.com"], input="n\n")
    assert kept.exit_code == 1
    assert "Aborted" in kept.output
    assert count(db_session, User) == 1
    gone = runner.invoke(args=["delete-account", "--email", "ada@example.com"], input="y\n")
    assert gone.exit_code == 0, gone.output
    assert count(db_session, User) == 0


def test_an_unknown_email_is_a_clear_error(runner, user, db_session):
    for email in ("nobody@example.com", "not an email"):
        result = runner.invoke(args=["delete-account", "--email", email, "--yes"])
        assert result.exit_code == 1
        assert "no account has the email" in result.output
        assert "Traceback" not in result.output
    assert count(db_session, User) == 1


def test_the_last_admin_is_kept(runner, make_user, db_session):
    make_user("root@example.com", is_admin=True)
    result = runner.invoke(args=["delete-account", "--email", "root@example.com", "--yes"])
    assert result.exit_code == 1
    assert "only admin" in result.output
    assert count(db_session, User) == 1
    make_user("second@example.com", is_admin=True)
    result = runner.invoke(args=["delete-account", "--email", "root@example.com", "--yes"])
    assert result.exit_code == 0, result.output
    assert count(db_session, User, User.is_admin) == 1
