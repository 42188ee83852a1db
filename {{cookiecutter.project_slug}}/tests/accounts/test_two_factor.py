"""Two-factor login with an authenticator app: setting it up, the login's
second step, recovery codes, turning it off, and the seed kept sealed."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.accounts import totp
from {{ cookiecutter.package_name }}.accounts.sealed import Unsealable, unseal
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession
from {{ cookiecutter.package_name }}.accounts.totp import RecoveryCode, TotpFactor

SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY_CODE = re.compile(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>")


def code_at(secret, seconds_from_now=0):
    return pyotp.TOTP(secret).at(time.time() + seconds_from_now)


@pytest.fixture
def app_user(user):
    """ada@example.com with an authenticator app set up (its seed), the
    code of the current time step used already."""
    secret = totp.start_enrolment(user)
    assert totp.use_code(user, code_at(secret), confirming=True)
    totp.new_recovery_codes(user)
    return secret


def post_code(client, csrf, code):
    data = {"code": code, "csrf_token": csrf("/auth/second-step")}
    return client.post("/auth/second-step", data=data)


def test_setting_up_shows_the_key_and_its_qr_code_then_wants_a_first_code(
    client, user, log_in, csrf, outbox
):
    log_in()
    response = client.post("/account/two-factor/setup", data={"csrf_token": csrf("/account/")})
    assert response.headers["Location"] == "/account/two-factor/confirm"
    page = client.get("/account/two-factor/confirm").get_data(as_text=True)
    secret = SECRET.search(page).group(1).replace(" ", "")
    image = client.get("/account/two-factor/qr-code.svg")
    assert image.mimetype == "image/svg+xml"
    assert image.get_data(as_text=True).startswith("<?xml") or b"<svg" in image.data
    assert "no-store" in image.headers["Cache-Control"]

    token = csrf("/account/two-factor/confirm")
    wrong = client.post("/account/two-factor/confirm", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 200 and not totp.enabled(user)

    right = client.post(
        "/account/two-factor/confirm", data={"code": code_at(secret), "csrf_token": token}
    )
    codes = RECOVERY_CODE.findall(right.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert totp.enabled(user)
    assert "no-store" in right.headers["Cache-Control"]
    assert [body for to, body in outbox if "authenticator app was set up" in body]


def test_the_seed_is_stored_sealed(app, db_session, app_user, monkeypatch):
    sealed = db_session.scalar(select(TotpFactor.sealed_secret))
    assert app_user not in sealed
    assert unseal(sealed) == app_user
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-key-" * 4)
    with pytest.raises(Unsealable):
        unseal(sealed)


def test_a_rotated_secret_key_still_opens_the_seed_and_reseal_moves_it(
    app, db_session, runner, app_user, monkeypatch
):
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.config["SECRET_KEY"]])
    monkeypatch.setitem(app.config, "SECRET_KEY", "the-new-key-" * 4)
    result = runner.invoke(args=["reseal"])
    assert result.exit_code == 0, result.output
    assert "Sealed 1 secret(s)" in result.output

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    db_session.expire_all()
    assert unseal(db_session.scalar(select(TotpFactor.sealed_secret))) == app_user


def test_reseal_says_which_secrets_no_key_opens(app, runner, app_user, monkeypatch):
    monkeypatch.setitem(app.config, "SECRET_KEY", "the-new-key-" * 4)
    result = runner.invoke(args=["reseal"])
    assert result.exit_code == 1
    assert "1 secret(s) open with no key at hand" in result.output


def test_the_login_asks_for_a_code_after_the_password(client, app_user, log_in, csrf):
    response = log_in()
    assert response.headers["Location"] == "/auth/second-step"
    assert client.get("/account/").status_code == 302  # not logged in yet
    assert client.get("/auth/second-step").status_code == 200

    response = post_code(client, csrf, code_at(app_user, 30))
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_a_wrong_code_is_refused(client, app_user, log_in, csrf):
    log_in()
    response = post_code(client, csrf, "123456" if code_at(app_user, 30) != "123456" else "654321")
    assert "not right" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_digits_of_other_scripts_are_a_wrong_code_not_an_error(client, app_user, log_in, csrf):
    log_in()
    # Arabic-Indic, circled and fullwidth digits: str.isdigit() says yes to each.
    for code in ("\u0661\u0662\u0663\u0664\u0665\u0666", "\u2460" * 6, "\uff11" * 6):
        response = post_code(client, csrf, code)
        assert response.status_code == 200
        assert "not right" in response.get_data(as_text=True)


def test_a_code_is_accepted_once(app, client, app_user, log_in, csrf, password):
    log_in()
    code = code_at(app_user, 30)
    assert post_code(client, csrf, code).status_code == 302

    thief = app.test_client()
    page = thief.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    thief.post(
        "/auth/login", data={"email": "ada@example.com", "password": password, "csrf_token": token}
    )
    page = thief.get("/auth/second-step").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    replayed = thief.post("/auth/second-step", data={"code": code, "csrf_token": token})
    assert "not right, or was used already" in replayed.get_data(as_text=True)
    # An earlier step's code is refused too, once a later one was used.
    earlier = thief.post("/auth/second-step", data={"code": code_at(app_user), "csrf_token": token})
    assert earlier.status_code == 200
    assert thief.get("/account/").status_code == 302


def test_guessing_codes_is_limited_like_passwords(client, app_user, log_in, csrf):
    log_in()  # the password's attempt counts too
    token = csrf("/auth/second-step")
    statuses = [
        client.post("/auth/second-step", data={"code": "000000", "csrf_token": token}).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    right = {"code": code_at(app_user, 30), "csrf_token": token}
    assert "Retry-After" in client.post("/auth/second-step", data=right).headers
    assert client.get("/account/").status_code == 302


def test_a_recovery_code_logs_in_once_and_its_owner_is_told(
    client, user, app_user, log_in, csrf, outbox, db_session
):
    codes = totp.new_recovery_codes(user)
    log_in()
    assert post_code(client, csrf, codes[0].lower().replace("-", " ")).status_code == 302
    assert client.get("/account/").status_code == 200
    notices = [body for to, body in outbox if "recovery codes was used" in body]
    assert notices and "9 are left" in notices[0]
    assert codes[0] not in str(outbox)
    client.post("/auth/logout", data={"csrf_token": csrf("/account/")})

    log_in()
    assert post_code(client, csrf, codes[0]).status_code == 200
    assert client.get("/account/").status_code == 302


def test_recovery_codes_are_stored_as_digests(db_session, user, app_user):
    codes = totp.new_recovery_codes(user)
    stored = db_session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & set(stored)


def test_new_recovery_codes_replace_the_old_ones(client, user, app_user, log_in, csrf):
    old = totp.new_recovery_codes(user)
    log_in()
    post_code(client, csrf, code_at(app_user, 30))
    page = client.post(
        "/account/two-factor/recovery-codes", data={"csrf_token": csrf("/account/")}
    ).get_data(as_text=True)
    new = RECOVERY_CODE.findall(page)
    assert len(new) == 10
    assert not totp.use_recovery_code(user, old[0])
    assert totp.use_recovery_code(user, new[0])


def test_a_pending_login_ends_when_the_password_changes(
    client, user, app_user, log_in, csrf, db_session
):
    log_in()
    token = csrf("/auth/second-step")
    user.set_password("a brand new password")
    db_session.commit()
    response = client.post(
        "/auth/second-step", data={"code": code_at(app_user, 30), "csrf_token": token}
    )
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/account/").status_code == 302


def test_the_second_step_without_a_password_sends_to_the_login(client, db_session):
    response = client.get("/auth/second-step")
    assert response.headers["Location"] == "/auth/login"


def test_turning_it_off_needs_a_fresh_proof(
    client, user, app_user, log_in, csrf, db_session, outbox, password
):
    log_in()
    post_code(client, csrf, code_at(app_user, 30))
    db_session.execute(update(LoginSession).values(proved_at=None))
    db_session.commit()
    token = csrf("/account/")
    response = client.post("/account/two-factor/off", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/confirm?next=")
    assert totp.enabled(user)

    confirm = client.post("/account/confirm", data={"password": password, "csrf_token": token})
    assert confirm.status_code == 302
    response = client.post("/account/two-factor/off", data={"csrf_token": token})
    assert response.headers["Location"] == "/account/"
    assert not totp.enabled(user)
    assert db_session.scalar(select(RecoveryCode.id)) is None
    assert [body for to, body in outbox if "authenticator app of your account was removed" in body]


def test_a_command_removes_the_second_factors_of_a_person_who_lost_them(
    runner, user, app_user, db_session
):
    result = runner.invoke(args=["remove-second-factors", "--email", "ADA@example.com"])
    assert result.exit_code == 0, result.output
    assert not totp.enabled(user)
    assert db_session.scalar(select(RecoveryCode.id)) is None
    unknown = runner.invoke(args=["remove-second-factors", "--email", "nobody@example.com"])
    assert unknown.exit_code == 1 and "no account uses" in unknown.output
