from sqlalchemy import select

from {{ cookiecutter.package_name }}.accounts.models import User


def test_create_admin_makes_an_admin(runner, db_session):
    result = runner.invoke(
        args=["create-admin", "--email", "Root@Example.com", "--password", "a long password!"]
    )
    assert result.exit_code == 0, result.output
    admin = db_session.scalar(select(User).where(User.email == "root@example.com"))
    assert admin.is_admin
    assert admin.check_password("a long password!")


def test_create_admin_refuses_a_second_account_for_one_email(runner):
    args = ["create-admin", "--email", "root@example.com", "--password", "a long password!"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "exists already" in result.output


def test_create_admin_refuses_bad_input(runner, db_session):
    bad_email = runner.invoke(args=["create-admin", "--email", "nope", "--password", "x" * 12])
    assert bad_email.exit_code == 2
    assert "--email" in bad_email.output
    short = runner.invoke(args=["create-admin", "--email", "a@example.com", "--password", "short"])
    assert short.exit_code == 2
    assert "at least 12" in short.output
    assert db_session.scalars(select(User)).all() == []
