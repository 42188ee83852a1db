"""Passkeys (WebAuthn): sign in with the device's lock instead of a password.

An account registers passkeys on its account page, each with a name. A
passkey then logs in on its own (the browser offers the site's passkeys: they
are discoverable, so no email is typed), or stands in for the code at the
login's second step, or for the password on the confirm page (sudo.py).

Every ceremony is two requests: options (with a fresh challenge, kept in the
Flask session) and the browser's answer, verified by py_webauthn. A
challenge is used once: the answer takes it out of the session. The session
is a cookie, which a thief may send again, so a passkey's use is also
recorded on its row: an answer to a challenge issued before the passkey's
last use is refused, in the same UPDATE that records the use.

The relying party is PUBLIC_URL's host, and PUBLIC_URL the only origin the
answers may come from; in development and tests, without PUBLIC_URL, the
host the request names. `flask check` says what breaks when PUBLIC_URL
does not suit WebAuthn.
"""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..pages.forms import CONTROL_CHARACTER
from ..pages.redirects import local_url
from ..platform.database import db
from ..platform.extending import add_deploy_check
from . import sudo, two_factor
from .limits import attempts_per_address
from .models import User
from .notices import send_notice
from .profile import add_section, in_utc
from .sessions import log_in

MAX_PASSKEY_NAME_LENGTH = 60
MAX_PASSKEYS_PER_ACCOUNT = 20
MAX_CREDENTIAL_ID_LENGTH = 1023  # the column's; authenticators make far shorter ones
# How long the browser may take between asking for options and answering.
CHALLENGE_LIFETIME = timedelta(minutes=5)
CHALLENGE_KEY = "passkey_challenge"


class Passkey(db.Model):
    """A public key credential: its id and public key as the authenticator
    made them, how often it has signed, and the name its owner gave it."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(MAX_CREDENTIAL_ID_LENGTH), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(MAX_PASSKEY_NAME_LENGTH))
    # The ways the authenticator said it can be reached (usb, internal,
    # hybrid ...), comma-separated, handed back to the browser at sign-in.
    transports: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


bp = Blueprint("passkeys", __name__, template_folder="templates")

# What a browser's answer may hold that the library refuses: its own
# exceptions for what it checks, Python's for a structure malformed deep
# inside (a COSE key without its fields, say). Each is the client's error.
REFUSED = (WebAuthnException, ValueError, LookupError, TypeError)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_section(app, "accounts/passkeys_section.html", passkeys_shown, place=30)
    add_deploy_check(app, relying_party_problem)
    app.jinja_env.globals.update(
        passkeys_available=lambda: relying_party() is not None,
        passkey_offered_to=offered_to,
        passkey_offered_at_second_step=lambda: offered_to(two_factor.pending_user()),
    )


# The relying party ----------------------------------------------------------


@dataclass(frozen=True)
class RelyingParty:
    """Whom passkeys are made for: the domain name (WebAuthn's "RP ID"), the
    one origin answers may come from, and the name the browser shows."""

    id: str
    origin: str
    name: str


def relying_party() -> RelyingParty | None:
    """PUBLIC_URL's; without it, the request's own host in development and
    tests, and None in production: there the Host header is the client's
    to choose, and passkeys are off until PUBLIC_URL says the domain."""
    name = current_app.config["SERVICE_NAME"]
    public_url = current_app.config["PUBLIC_URL"]
    if public_url:
        return RelyingParty(urlsplit(public_url).hostname, public_url, name)
    if current_app.config["APP_ENV"] == "production":
        return None
    origin = request.host_url.rstrip("/")
    return RelyingParty(urlsplit(origin).hostname, origin, name)


def required_relying_party() -> RelyingParty:
    party = relying_party()
    if party is None:
        abort(404, description="Passkeys are not set up on this service.")
    return party


def relying_party_problem(config: Mapping) -> str | None:
    """`flask check`: what stops passkeys with this PUBLIC_URL."""
    public_url = config["PUBLIC_URL"]
    if not public_url:
        return (
            "PUBLIC_URL is not set; passkeys cannot be registered or used (WebAuthn "
            "binds each passkey to the service's domain name, which PUBLIC_URL gives)"
        )
    parts = urlsplit(public_url)
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        pass
    else:
        return (
            f"PUBLIC_URL's host {parts.hostname} is an IP address; passkeys need a "
            "domain name (WebAuthn refuses IP addresses)"
        )
    if parts.scheme == "http" and parts.hostname != "localhost":
        return (
            f"PUBLIC_URL is {public_url}; browsers refuse passkeys over http:// "
            "anywhere but localhost"
        )
    return None


# Challenges -------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    value: bytes
    issued_at: datetime
    name: str = ""  # the name a passkey being registered is to have


def keep_challenge(purpose: str, value: bytes, name: str = "") -> None:
    """Keep the options' challenge in the session, for one answer for
    `purpose` (a login's challenge does not confirm a sudo, say)."""
    session[CHALLENGE_KEY] = {
        "purpose": purpose,
        "challenge": value.hex(),
        "issued_at": datetime.now(UTC).isoformat(),
        "name": name,
    }


def take_challenge(purpose: str) -> Challenge | None:
    """The session's challenge for `purpose`, taken out of it whatever the
    answer turns out to be; None if there is none, or it is too old."""
    kept = session.pop(CHALLENGE_KEY, None)
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        return None
    issued_at = datetime.fromisoformat(kept["issued_at"])
    if datetime.now(UTC) - issued_at > CHALLENGE_LIFETIME:
        return None
    return Challenge(bytes.fromhex(kept["challenge"]), issued_at, kept["name"])


def options_answer(options):
    return current_app.response_class(options_to_json(options), mimetype="application/json")


def refused(message: str, status: int = 400):
    """A JSON answer refusing the request: the page shows the message."""
    return jsonify(message=message), status


def posted_credential() -> dict | None:
    """The browser's credential, as the JSON body's "credential"."""
    body = request.get_json(silent=True)
    credential = body.get("credential") if isinstance(body, dict) else None
    return credential if isinstance(credential, dict) else None


def offered_to(user: User | None) -> bool:
    """Whether a page asks `user` for a passkey: they work here, and the
    account has one."""
    return user is not None and relying_party() is not None and has_passkey(user)


def has_passkey(user: User) -> bool:
    found = db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id).limit(1))
    return found is not None


# Registering one, on the account page -----------------------------------------


@dataclass(frozen=True)
class ShownPasskey:
    id: int
    name: str
    created: str
    last_used: str | None


def passkeys_of(user_id: int) -> list[Passkey]:
    return db.session.scalars(
        select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at, Passkey.id)
    ).all()


def passkeys_shown() -> dict:
    shown = [
        ShownPasskey(
            id=passkey.id,
            name=passkey.name,
            created=in_utc(passkey.created_at),
            last_used=passkey.last_used_at and in_utc(passkey.last_used_at),
        )
        for passkey in passkeys_of(current_user.id)
    ]
    return {"passkeys": shown, "max_name_length": MAX_PASSKEY_NAME_LENGTH}


def descriptors(passkeys: list[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    """The browser's names of these passkeys, with how each is reached."""
    return [
        PublicKeyCredentialDescriptor(
            id=passkey.credential_id,
            transports=[AuthenticatorTransport(name) for name in passkey.transports.split(",")]
            if passkey.transports
            else None,
        )
        for passkey in passkeys
    ]


def user_handle(user_id: int) -> bytes:
    # What the authenticator keeps to name the account: its number, which
    # says nothing about its owner (WebAuthn asks for no email or name here).
    return str(user_id).encode()


def name_problem(name) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "Give the passkey a name, such as the device it is on."
    if len(name.strip()) > MAX_PASSKEY_NAME_LENGTH:
        return f"Use a name of at most {MAX_PASSKEY_NAME_LENGTH} characters."
    if CONTROL_CHARACTER.search(name):
        return "Remove the control characters."
    return None


@bp.post("/account/passkeys/options")
@login_required
@sudo.recent_proof_required
def registration_options():
    party = required_relying_party()
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    problem = name_problem(name)
    if problem:
        return refused(problem)
    existing = passkeys_of(current_user.id)
    if len(existing) >= MAX_PASSKEYS_PER_ACCOUNT:
        return refused(f"An account has at most {MAX_PASSKEYS_PER_ACCOUNT} passkeys.", 409)
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=party.name,
        user_id=user_handle(current_user.id),
        user_name=current_user.email,
        # Discoverable: the passkey alone logs in, the browser offering it
        # without an email typed first. Verified: the device's PIN or
        # fingerprint, so that the passkey is two factors in one.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # A device that holds one already is not asked to make a second.
        exclude_credentials=descriptors(existing),
    )
    keep_challenge("register", options.challenge, name=name.strip())
    return options_answer(options)


@bp.post("/account/passkeys/verify")
@login_required
@sudo.recent_proof_required
def register():
    party = required_relying_party()
    challenge = take_challenge("register")
    credential = posted_credential()
    if challenge is None:
        return refused("That took too long, or was sent already. Try again.")
    if credential is None:
        return refused("The browser sent no passkey.")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.value,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            require_user_verification=True,
        )
    except REFUSED:
        return refused("The passkey could not be verified.")
    if len(verified.credential_id) > MAX_CREDENTIAL_ID_LENGTH:
        return refused("The passkey could not be verified.")
    passkey = Passkey(
        user_id=current_user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=challenge.name,
        transports=transports_of(credential),
        created_at=datetime.now(UTC),
    )
    db.session.add(passkey)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return refused("This passkey is registered already.", 409)
    send_notice(
        current_user,
        "a passkey was added",
        f'A passkey named "{passkey.name}" was added to your account: it can log in to it.',
    )
    flash(f'The passkey "{passkey.name}" is added.', "success")
    return jsonify(next=url_for("account.index"))


def transports_of(credential: dict) -> str:
    """The transports the browser reported, those WebAuthn knows, as stored."""
    response = credential.get("response")
    reported = response.get("transports") if isinstance(response, dict) else None
    known = {transport.value for transport in AuthenticatorTransport}
    names = [name for name in reported or () if isinstance(name, str) and name in known]
    return ",".join(dict.fromkeys(names))[:255]


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@login_required
@sudo.recent_proof_required
def remove(passkey_id):
    passkey = db.session.scalar(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == current_user.id)
    )
    if passkey is None:
        abort(404, description="You have no such passkey.")
    name = passkey.name
    db.session.execute(delete(Passkey).where(Passkey.id == passkey.id))
    db.session.commit()
    send_notice(
        current_user,
        "a passkey was removed",
        f'The passkey named "{name}" was removed from your account: it no longer logs in.',
    )
    flash(f'The passkey "{name}" is removed.', "info")
    return redirect(url_for("account.index"), 303)


# Using one: logging in, the login's second step, the confirm page -------------


def assertion_options(purpose: str, passkeys: list[Passkey] | None = None):
    """Options to sign `purpose`'s challenge; with `passkeys`, only with one
    of those (the browser then offers those alone)."""
    party = required_relying_party()
    options = generate_authentication_options(
        rp_id=party.id,
        allow_credentials=descriptors(passkeys) if passkeys else None,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    keep_challenge(purpose, options.challenge)
    return options_answer(options)


def verified_passkey(purpose: str, user_id: int | None = None) -> Passkey | None:
    """The passkey that signed `purpose`'s challenge in the posted answer,
    its use recorded; None when the answer proves nothing (no challenge, an
    unknown or removed passkey, one of another account than `user_id`, a
    bad signature, another origin, an answer used already)."""
    party = required_relying_party()
    challenge = take_challenge(purpose)
    credential = posted_credential()
    if challenge is None or credential is None:
        return None
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except REFUSED:
        return None
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None or (user_id is not None and passkey.user_id != user_id):
        return None
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge.value,
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except REFUSED:
        return None
    # The device says whose passkey it signed with: it must be the row's.
    handle = credential["response"].get("userHandle")
    if handle and base64url_to_bytes(handle) != user_handle(passkey.user_id):
        return None
    # Recorded only if no use came after the challenge was issued: an
    # answer sent again, with the cookie that held its challenge, is
    # refused however few its authenticator's counts (many count nothing).
    used = db.session.execute(
        update(Passkey)
        .where(
            Passkey.id == passkey.id,
            or_(Passkey.last_used_at.is_(None), Passkey.last_used_at < challenge.issued_at),
        )
        .values(sign_count=verified.new_sign_count, last_used_at=datetime.now(UTC))
        # Not compared in Python too: the commit reloads the row anyway.
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return passkey if used.rowcount == 1 else None


NOT_ACCEPTED = "That passkey was not accepted. Try again, or use your password."


@bp.post("/auth/passkey/options")
def login_options():
    # No passkeys listed: the browser offers whichever of the site's the
    # device holds (they are discoverable), and the account is the one it
    # names.
    return assertion_options("login")


@bp.post("/auth/passkey/verify")
@attempts_per_address
def login():
    passkey = verified_passkey("login")
    if passkey is None:
        return refused(NOT_ACCEPTED, 403)
    user = db.session.get(User, passkey.user_id)
    body = request.get_json(silent=True)
    remember = isinstance(body, dict) and body.get("remember") is True
    next_page = local_url(request.args.get("next"))
    log_in(user, remember=remember)
    flash("You are logged in.", "success")
    return jsonify(next=next_page or url_for("notes.index"))


@bp.post("/auth/second-step/passkey/options")
def second_step_options():
    user = two_factor.pending_user()
    if user is None:
        return refused("No login is waiting for a second step. Log in again.", 409)
    passkeys = passkeys_of(user.id)
    if not passkeys:
        return refused("This account has no passkey.", 409)
    return assertion_options("second-step", passkeys)


@bp.post("/auth/second-step/passkey/verify")
@attempts_per_address
def second_step():
    user = two_factor.pending_user()
    if user is None:
        return refused("No login is waiting for a second step. Log in again.", 409)
    if verified_passkey("second-step", user_id=user.id) is None:
        return refused(NOT_ACCEPTED, 403)
    finished = two_factor.finish_pending_login(user)
    return jsonify(next=finished.location)


@bp.post("/account/confirm/passkey/options")
@login_required
def proof_options():
    passkeys = passkeys_of(current_user.id)
    if not passkeys:
        return refused("Your account has no passkey.", 409)
    return assertion_options("proof", passkeys)


@bp.post("/account/confirm/passkey/verify")
@login_required
@attempts_per_address
@sudo.attempts_of_this_account  # proving it again with a passkey counts as on the confirm page
def proof():
    if verified_passkey("proof", user_id=current_user.id) is None:
        return refused("That passkey was not accepted. Try again.", 403)
    sudo.mark_proved()
    flash("Thank you. You can go on.", "success")
    return jsonify(next=local_url(request.args.get("next")) or url_for("account.index"))
