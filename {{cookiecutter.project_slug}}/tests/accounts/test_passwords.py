"""The one check of an email and password (passwords.py), which the login
form and the API's token endpoint both go through."""

from {{ cookiecutter.package_name }}.accounts import models, passwords
from {{ cookiecutter.package_name }}.accounts.passwords import authenticate


def test_the_right_password_finds_the_account(make_user, password):
    user = make_user()
    assert authenticate("ADA@example.com", password) == user
    assert authenticate("ada@example.com", "wrong password!") is None
    assert authenticate("nobody@example.com", password) is None
    assert authenticate("not an email", password) is None


def test_unknown_emails_cost_a_password_hash_too(app, make_user, monkeypatch):
    # Equal work, so the time a login takes does not tell who has an account.
    checked = []
    real_check = models.check_password_hash

    def counted_check(*args):
        checked.append(1)
        return real_check(*args)

    for module in (models, passwords):
        monkeypatch.setattr(module, "check_password_hash", counted_check)
    make_user()
    with app.app_context():
        authenticate("ada@example.com", "wrong password!")
        assert checked == [1]
        authenticate("nobody@example.com", "wrong password!")
        assert checked == [1, 1]
