"""Passkeys: registered on the account page, then used to log in without a
password, as the login's second step and as a fresh proof for a sensitive
change; what is not the account's own, replayed, from another origin or
badly signed is refused, and so is anything that is not an answer at all.

The browser's authenticator is played by a small one in software (P-256
keys, attestation "none"): its answers are real ones, which py_webauthn
verifies as it would a device's.
"""

import base64
import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.accounts.passkeys import (
    MAX_PASSKEY_NAME_LENGTH,
    Passkey,
    relying_party_problem,
)
from {{ cookiecutter.package_name }}.accounts.sessions import LoginSession

ORIGIN = "http://localhost"  # the test client's
USER_PRESENT, USER_VERIFIED, ATTESTED_DATA = 0x01, 0x04, 0x40


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    """A passkey device in software. It keeps each credential it makes
    (discoverable: with the account's handle) and signs with it as a
    device does, its counter at 0 as many passkeys keep it."""

    def __init__(self):
        self.credentials = {}  # credential id: (private key, RP id, user handle)

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        rp_id = options["rp"]["id"]
        credential_id = secrets.token_bytes(16)
        key = ec.generate_private_key(ec.SECP256R1())
        self.credentials[credential_id] = (key, rp_id, unb64(options["user"]["id"]))
        numbers = key.public_key().public_numbers()
        # The public key in COSE: EC2 (1: 2), ES256 (3: -7), P-256 (-1: 1), x, y.
        cose_key = {
            1: 2,
            3: -7,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        authenticator_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([USER_PRESENT | USER_VERIFIED | ATTESTED_DATA])
            + (0).to_bytes(4, "big")
            + bytes(16)  # the AAGUID: an unnamed make of device
            + len(credential_id).to_bytes(2, "big")
            + credential_id
            + cbor2.dumps(cose_key)
        )
        attestation = {"fmt": "none", "attStmt": {}, "authData": authenticator_data}
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(cbor2.dumps(attestation)),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict, origin: str = ORIGIN, credential_id: bytes | None = None) -> dict:
        """Sign the options' challenge with the credential named, or the
        one this device holds for the relying party."""
        if credential_id is None:
            credential_id = next(
                held for held, (_, rp_id, _) in self.credentials.items() if rp_id == options["rpId"]
            )
        key, rp_id, handle = self.credentials[credential_id]
        authenticator_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([USER_PRESENT | USER_VERIFIED])
            + (0).to_bytes(4, "big")
        )
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        signed = authenticator_data + hashlib.sha256(client_data).digest()
        return {
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(authenticator_data),
                "signature": b64(key.sign(signed, ec.ECDSA(hashes.SHA256()))),
                "userHandle": b64(handle),
            },
            "clientExtensionResults": {},
        }

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()


@pytest.fixture
def device():
    return Authenticator()


@pytest.fixture
def post_json(client, csrf):
    """POST JSON as passkeys.js does, the CSRF token in its header."""

    def post(path, body=None, page="/auth/login"):
        headers = {"X-CSRFToken": csrf(page), "Accept": "application/json"}
        if isinstance(body, bytes):  # not JSON at all
            return client.post(path, data=body, content_type="application/json", headers=headers)
        return client.post(path, json=body if body is not None else {}, headers=headers)

    return post


@pytest.fixture
def register(post_json, device):
    """Register a passkey on `device` for the logged-in account; the verify
    answer."""

    def register(name="Laptop", on=device):
        options = post_json("/account/passkeys/options", {"name": name}, "/account/")
        assert options.status_code == 200, options.get_data(as_text=True)
        credential = on.create(options.json)
        return post_json("/account/passkeys/verify", {"credential": credential}, "/account/")

    return register


def sign_in(post_json, device, **get):
    """Log in with a passkey from `device`: the verify answer."""
    options = post_json("/auth/passkey/options")
    assert options.status_code == 200
    assert not options.json.get("allowCredentials")  # discoverable: the device says whose
    return post_json("/auth/passkey/verify", {"credential": device.get(options.json, **get)})


def log_out(client, csrf):
    client.post("/auth/logout", data={"csrf_token": csrf("/account/")})


def stored(db_session) -> list[Passkey]:
    db_session.expire_all()
    return db_session.scalars(select(Passkey).order_by(Passkey.id)).all()


def logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


@pytest.fixture
def ada_with_passkey(client, user, log_in, register, csrf):
    """ada, with a passkey on `device`, logged out."""
    log_in()
    assert register().status_code == 200
    log_out(client, csrf)
    return user


# Registering ------------------------------------------------------------------


def test_passkeys_are_registered_with_names_and_listed(
    client, user, log_in, register, db_session, outbox
):
    log_in()
    first = register("Laptop")
    assert first.status_code == 200
    assert first.json == {"next": "/account/"}
    assert register("Phone", on=Authenticator()).status_code == 200
    passkeys = stored(db_session)
    assert [(p.name, p.user_id, p.transports, p.last_used_at) for p in passkeys] == [
        ("Laptop", user.id, "internal", None),
        ("Phone", user.id, "internal", None),
    ]
    page = client.get("/account/").get_data(as_text=True)
    assert "Laptop" in page and "Phone" in page and "never" in page
    assert "passkeys.js" in page
    # The owner is told of each.
    assert [to for to, body in outbox if 'passkey named "Phone" was added' in body] == [user.email]


def test_the_options_ask_for_a_discoverable_verified_passkey_new_to_the_device(
    client, user, log_in, register, post_json, db_session
):
    log_in()
    register()
    options = post_json("/account/passkeys/options", {"name": "Another"}, "/account/").json
    assert options["rp"] == {"id": "localhost", "name": options["rp"]["name"]}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["user"]["name"] == user.email
    # The device that holds the first one is not asked for a second.
    assert [item["id"] for item in options["excludeCredentials"]] == [
        b64(passkey.credential_id) for passkey in stored(db_session)
    ]


@pytest.mark.parametrize(
    "name", ["", "   ", None, 7, "x" * (MAX_PASSKEY_NAME_LENGTH + 1), "bad\x00name"]
)
def test_a_passkey_needs_a_name_that_fits(client, user, log_in, post_json, db_session, name):
    log_in()
    response = post_json("/account/passkeys/options", {"name": name}, "/account/")
    assert response.status_code == 400
    assert response.json["message"]
    assert stored(db_session) == []


def test_registering_needs_a_fresh_proof_and_changes_nothing_without_one(
    client, user, log_in, post_json, device, db_session
):
    log_in()
    options = post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/").json
    credential = device.create(options)
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    for path, body in (
        ("/account/passkeys/options", {"name": "Laptop"}),
        ("/account/passkeys/verify", {"credential": credential}),
    ):
        response = post_json(path, body, "/account/")
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/confirm?next=/account/"
    assert stored(db_session) == []


def test_a_registration_from_another_origin_is_refused(
    client, user, log_in, post_json, device, db_session
):
    log_in()
    options = post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/").json
    credential = device.create(options, origin="https://evil.example")
    response = post_json("/account/passkeys/verify", {"credential": credential}, "/account/")
    assert response.status_code == 400
    assert stored(db_session) == []


def test_a_registration_is_accepted_once(client, user, log_in, post_json, device, db_session):
    log_in()
    options = post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/").json
    credential = device.create(options)
    body = {"credential": credential}
    assert post_json("/account/passkeys/verify", body, "/account/").status_code == 200
    assert post_json("/account/passkeys/verify", body, "/account/").status_code == 400
    assert len(stored(db_session)) == 1


def test_visitors_register_nothing(client, post_json, db_session):
    response = post_json("/account/passkeys/options", {"name": "Laptop"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


# Removing ---------------------------------------------------------------------


def test_a_passkey_is_removed_by_its_owner_only(
    client, user, make_user, log_in, register, post_json, device, csrf, db_session, outbox
):
    log_in()
    register("Laptop")
    ada_passkey = stored(db_session)[0]
    log_out(client, csrf)
    make_user("bob@example.com")
    log_in("bob@example.com")
    response = client.post(
        f"/account/passkeys/{ada_passkey.id}/remove", data={"csrf_token": csrf("/account/")}
    )
    assert response.status_code == 404
    assert len(stored(db_session)) == 1

    log_out(client, csrf)
    assert sign_in(post_json, device).status_code == 200
    response = client.post(
        f"/account/passkeys/{ada_passkey.id}/remove", data={"csrf_token": csrf("/account/")}
    )
    assert response.status_code == 303
    assert stored(db_session) == []
    assert any('passkey named "Laptop" was removed' in body for _, body in outbox)


def test_removing_needs_a_fresh_proof(client, user, log_in, register, csrf, db_session):
    log_in()
    register()
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    passkey = stored(db_session)[0]
    response = client.post(
        f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": csrf("/account/")}
    )
    assert response.headers["Location"] == "/account/confirm?next=/account/"
    assert len(stored(db_session)) == 1


# Logging in with one ----------------------------------------------------------


def test_a_passkey_logs_in_without_a_password(
    client, ada_with_passkey, post_json, device, db_session
):
    assert not logged_in(client)
    response = sign_in(post_json, device)
    assert response.status_code == 200, response.json
    assert response.json == {"next": "/notes/"}
    assert logged_in(client)
    assert stored(db_session)[0].last_used_at is not None


def test_the_login_goes_on_to_the_page_asked_for_on_this_site_only(
    client, ada_with_passkey, post_json, device, csrf
):
    for asked, went in (("/account/", "/account/"), ("https://evil.example/", "/notes/")):
        options = post_json("/auth/passkey/options").json
        credential = device.get(options)
        response = post_json(f"/auth/passkey/verify?next={asked}", {"credential": credential})
        assert response.json == {"next": went}
        log_out(client, csrf)


def test_the_login_page_offers_a_passkey(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Log in with a passkey" in page
    assert '/passkeys.js"' in page  # the script, a file: no inline script


def test_a_removed_passkey_no_longer_logs_in(
    client, ada_with_passkey, post_json, device, csrf, db_session
):
    assert sign_in(post_json, device).status_code == 200
    passkey = stored(db_session)[0]
    client.post(f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": csrf("/account/")})
    log_out(client, csrf)
    response = sign_in(post_json, device)
    assert response.status_code == 403
    assert not logged_in(client)


def test_an_unknown_passkey_logs_in_nobody(client, user, post_json):
    stranger = Authenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": b64(b"1")}, "challenge": "x"})
    response = sign_in(post_json, stranger)
    assert response.status_code == 403
    assert not logged_in(client)


def test_an_answer_is_accepted_once(client, ada_with_passkey, post_json, device, csrf):
    options = post_json("/auth/passkey/options").json
    body = {"credential": device.get(options)}
    # Kept as it was before the login: the cookie that holds the challenge.
    before = client.get_cookie("session").value
    assert post_json("/auth/passkey/verify", body).status_code == 200
    log_out(client, csrf)
    # Sent again in the same browser: its challenge is gone from the session.
    assert post_json("/auth/passkey/verify", body).status_code == 403
    # Sent again with the cookie that still held the challenge: the
    # passkey was used since that challenge was issued.
    client.set_cookie("session", before)
    assert post_json("/auth/passkey/verify", body).status_code == 403
    assert not logged_in(client)


def test_an_answer_to_another_challenge_is_refused(client, ada_with_passkey, post_json, device):
    old = post_json("/auth/passkey/options").json
    post_json("/auth/passkey/options")  # a newer challenge replaces it
    response = post_json("/auth/passkey/verify", {"credential": device.get(old)})
    assert response.status_code == 403
    assert not logged_in(client)


def test_an_answer_from_another_origin_is_refused(client, ada_with_passkey, post_json, device):
    response = sign_in(post_json, device, origin="https://evil.example")
    assert response.status_code == 403
    assert not logged_in(client)


def test_a_bad_signature_is_refused(client, ada_with_passkey, post_json, device):
    options = post_json("/auth/passkey/options").json
    credential = device.get(options)
    signature = bytearray(unb64(credential["response"]["signature"]))
    signature[-1] ^= 1
    credential["response"]["signature"] = b64(bytes(signature))
    response = post_json("/auth/passkey/verify", {"credential": credential})
    assert response.status_code == 403
    assert not logged_in(client)


def test_an_answer_for_a_challenge_of_another_purpose_is_refused(
    client, ada_with_passkey, post_json, device
):
    assert sign_in(post_json, device).status_code == 200
    proof = post_json("/account/confirm/passkey/options", page="/account/").json
    response = post_json("/auth/passkey/verify", {"credential": device.get(proof)}, "/account/")
    assert response.status_code == 403


def test_an_unconfirmed_address_logs_in_as_with_a_password(
    client, make_user, log_in, register, post_json, device, csrf
):
    make_user(verified=False)
    log_in()
    register()
    log_out(client, csrf)
    assert sign_in(post_json, device).status_code == 200
    assert client.get("/notes/").status_code == 403  # as after a password login


def test_passkey_logins_are_limited_per_address(client, user, post_json, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    answers = [post_json("/auth/passkey/verify", {"credential": {}}).status_code for _ in range(4)]
    assert answers == [403, 403, 403, 429]


# The login's second step, and the confirm page ----------------------------------


def test_a_passkey_is_the_second_step_after_the_password(
    client, ada_with_passkey, log_in, post_json, device
):
    response = log_in()
    assert response.headers["Location"] == "/auth/second-step"
    page = client.get("/auth/second-step").get_data(as_text=True)
    assert "Use a passkey" in page
    options = post_json("/auth/second-step/passkey/options", page="/auth/login")
    assert [item["id"] for item in options.json["allowCredentials"]] == [
        b64(next(iter(device.credentials)))
    ]
    response = post_json(
        "/auth/second-step/passkey/verify",
        {"credential": device.get(options.json)},
        "/auth/login",
    )
    assert response.status_code == 200, response.json
    assert response.json == {"next": "/notes/"}
    assert logged_in(client)


def test_another_accounts_passkey_is_no_second_step(
    client, ada_with_passkey, make_user, log_in, register, post_json, csrf
):
    make_user("bob@example.com")
    log_in("bob@example.com")
    bobs = Authenticator()
    register("Bob's", on=bobs)
    log_out(client, csrf)
    assert log_in().headers["Location"] == "/auth/second-step"  # ada's login waits
    options = post_json("/auth/second-step/passkey/options", page="/auth/login").json
    credential = bobs.get(options, credential_id=next(iter(bobs.credentials)))
    response = post_json(
        "/auth/second-step/passkey/verify", {"credential": credential}, "/auth/login"
    )
    assert response.status_code == 403
    assert not logged_in(client)


def test_no_second_step_without_a_password_first(client, ada_with_passkey, post_json, device):
    assert post_json("/auth/second-step/passkey/options").status_code == 409
    assert post_json("/auth/second-step/passkey/verify", {"credential": {}}).status_code == 409


def test_a_passkey_proves_it_again_for_a_sensitive_change(
    client, ada_with_passkey, post_json, device, db_session
):
    # Logged in with the passkey alone, eleven minutes ago.
    assert sign_in(post_json, device).status_code == 200
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    assert "Confirm with a passkey" in client.get("/account/confirm").get_data(as_text=True)
    options = post_json("/account/confirm/passkey/options", page="/account/confirm").json
    response = post_json(
        "/account/confirm/passkey/verify?next=/account/",
        {"credential": device.get(options)},
        "/account/confirm",
    )
    assert response.status_code == 200
    assert response.json == {"next": "/account/"}
    # Fresh again: a passkey can be added without another proof.
    options = post_json("/account/passkeys/options", {"name": "Phone"}, "/account/")
    assert options.status_code == 200


def test_another_accounts_passkey_proves_nothing(
    client, ada_with_passkey, make_user, log_in, register, post_json, device, db_session
):
    make_user("bob@example.com")
    log_in("bob@example.com")
    register("Bob's", on=Authenticator())
    db_session.execute(
        update(LoginSession).values(proved_at=datetime.now(UTC) - timedelta(minutes=11))
    )
    db_session.commit()
    # Bob's session, gone stale, signed for with ada's passkey.
    options = post_json("/account/confirm/passkey/options", page="/account/confirm").json
    credential = device.get(options, credential_id=next(iter(device.credentials)))
    response = post_json(
        "/account/confirm/passkey/verify", {"credential": credential}, "/account/confirm"
    )
    assert response.status_code == 403
    stale = post_json("/account/passkeys/options", {"name": "More"}, "/account/")
    assert stale.status_code == 303


# Bad input and configuration --------------------------------------------------

GARBAGE = [
    b"not json at all",
    "a string",
    [],
    {"credential": "x"},
    {"credential": {}},
    {"credential": {"rawId": 5}},
    {"credential": {"rawId": "!!!", "response": 3}},
    {"credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}},
    {
        "credential": {
            "id": "AA",
            "rawId": "AA",
            "type": "public-key",
            "response": {"clientDataJSON": "%%", "attestationObject": b64(b"\xff\x00")},
        }
    },
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_refused_not_a_server_error(client, ada_with_passkey, log_in, post_json, body):
    post_json("/auth/passkey/options")
    assert 400 <= post_json("/auth/passkey/verify", body).status_code < 500
    log_in()  # the second step is now pending
    post_json("/auth/second-step/passkey/options", page="/auth/login")
    response = post_json("/auth/second-step/passkey/verify", body, "/auth/login")
    assert 400 <= response.status_code < 500
    assert not logged_in(client)


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_registers_nothing(client, user, log_in, post_json, db_session, body):
    log_in()
    post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/")
    response = post_json("/account/passkeys/verify", body, "/account/")
    assert 400 <= response.status_code < 500
    assert stored(db_session) == []


def test_the_relying_party_is_public_urls(
    client, user, log_in, post_json, device, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://service.example")
    log_in()
    options = post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/").json
    assert options["rp"]["id"] == "service.example"
    # The test client's origin is not the public one: refused.
    response = post_json(
        "/account/passkeys/verify", {"credential": device.create(options)}, "/account/"
    )
    assert response.status_code == 400
    options = post_json("/account/passkeys/options", {"name": "Laptop"}, "/account/").json
    credential = device.create(options, origin="https://service.example")
    response = post_json("/account/passkeys/verify", {"credential": credential}, "/account/")
    assert response.status_code == 200


def test_in_production_without_public_url_passkeys_are_off(
    client, user, app, monkeypatch, post_json
):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    assert "passkey" not in client.get("/auth/login").get_data(as_text=True).lower()
    assert post_json("/auth/passkey/options").status_code == 404


@pytest.mark.parametrize(
    ("public_url", "problem"),
    [
        ("", "PUBLIC_URL is not set; passkeys cannot be registered or used"),
        ("https://203.0.113.7", "is an IP address; passkeys need a domain name"),
        ("https://[2001:db8::1]", "is an IP address; passkeys need a domain name"),
        ("http://service.example.com", "browsers refuse passkeys over http://"),
        ("https://service.example.com", None),
        ("http://localhost:5000", None),
    ],
)
def test_flask_check_says_what_stops_passkeys(public_url, problem):
    found = relying_party_problem({"PUBLIC_URL": public_url})
    assert found == problem or (problem and problem in found)


def test_flask_check_reports_it(make_app):
    app = make_app(APP_ENV="development")
    result = app.test_cli_runner().invoke(args=["check"])
    assert "- PUBLIC_URL is not set; passkeys cannot be registered or used" in result.output
