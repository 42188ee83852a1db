"""Time-based one-time codes (RFC 6238), the codes of any authenticator
app, and the recovery codes that stand in for the app when it is lost.

The seed is stored sealed (sealed.py); a code is accepted once: the table
keeps the last time step used, and a code of that step or an earlier one
is refused, however quickly it is sent again. Checking and moving the step
is one UPDATE, so of two requests with the same code, one wins. Recovery
codes are stored as SHA-256 digests (each is 80 random bits, beyond any
guessing) and deleted as they are used, likewise in one statement.
"""

import hashlib
import hmac
import io
import secrets
from datetime import UTC, datetime

import click
import pyotp
import segno
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import BigInteger, DateTime, ForeignKey, String, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..platform.database import db
from .models import User
from .sealed import Unsealable, reseal, seal, unseal

RECOVERY_CODE_COUNT = 10
CODE_DIGITS = 6
# Codes of the step before and after the current one are taken too: the
# phone's clock and the server's may differ by a few seconds.
STEPS_EITHER_WAY = 1


class TotpFactor(db.Model):
    """An account's authenticator app: its seed, sealed, and the last time
    step whose code was used. Until `confirmed_at`, enrolment is under way
    and the login does not ask for it."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_secret: Mapped[str] = mapped_column(String(255))
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"
    __table_args__ = (db.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))


def enabled(user: User) -> bool:
    """Whether the login asks this account for a code from its app."""
    return (
        db.session.scalar(
            select(TotpFactor.user_id).where(
                TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_not(None)
            )
        )
        is not None
    )


def start_enrolment(user: User) -> str | None:
    """A new seed for the account, not asked for until confirmed; an
    unconfirmed one from before is replaced. Returns the seed (base32), or
    None when another request made one at the same moment."""
    secret = pyotp.random_base32()
    db.session.execute(
        delete(TotpFactor).where(TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_(None))
    )
    db.session.add(
        TotpFactor(
            user_id=user.id, sealed_secret=seal(secret), last_step=0, created_at=datetime.now(UTC)
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # a second click's enrolment, or a confirmed one, won the race
        db.session.rollback()
        return None
    return secret


def pending_secret(user: User) -> str | None:
    """The seed of the enrolment under way, or None."""
    factor = db.session.scalar(
        select(TotpFactor).where(TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_(None))
    )
    if factor is None:
        return None
    try:
        return unseal(factor.sealed_secret)
    except Unsealable:
        return None


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"]
    )


def qr_code_svg(uri: str) -> str:
    """The QR code of `uri` as an SVG image, made here: no image service
    learns the seed, and no script runs."""
    image = io.BytesIO()
    segno.make(uri, error="m").save(image, kind="svg", scale=5, dark="#000", light="#fff")
    return image.getvalue().decode()


def matching_step(secret: str, code: str) -> int | None:
    """The time step, near now, whose code `code` is; or None."""
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):  # not "١٢٣٤٥٦"
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(datetime.now(UTC))
    for step in range(now_step - STEPS_EITHER_WAY, now_step + STEPS_EITHER_WAY + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_code(user: User, code: str, confirming: bool = False) -> bool:
    """Accept a code from the account's app, once: True if it matches a step
    after the last one used, which becomes the last one used.

    `confirming` checks the enrolment under way instead, and confirms it.
    """
    factor = db.session.scalar(
        select(TotpFactor).where(
            TotpFactor.user_id == user.id,
            TotpFactor.confirmed_at.is_(None)
            if confirming
            else TotpFactor.confirmed_at.is_not(None),
        )
    )
    if factor is None:
        return False
    try:
        step = matching_step(unseal(factor.sealed_secret), code)
    except Unsealable:
        return False
    if step is None:
        return False
    values = {"last_step": step}
    if confirming:
        values["confirmed_at"] = datetime.now(UTC)
    taken = db.session.execute(
        update(TotpFactor)
        .where(TotpFactor.user_id == user.id, TotpFactor.last_step < step)
        .values(**values)
    )
    db.session.commit()
    return taken.rowcount == 1


def turn_off(user: User) -> None:
    """Forget the account's app and its recovery codes."""
    db.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()


# Recovery codes: four groups of four from an alphabet without 0/O or 1/I.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalize_recovery_code(code: str) -> str:
    return "".join(character for character in code.upper() if character.isalnum())


def recovery_digest(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, which replace any earlier ones; only their
    digests are stored, so these are shown once."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_digest(c)) for c in codes)
    db.session.commit()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Accept one of the account's recovery codes, once: it is deleted."""
    if len(code) > 40:
        return False
    used = db.session.execute(
        delete(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == recovery_digest(code)
        )
    )
    db.session.commit()
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
    )


def reseal_every_secret() -> tuple[int, int]:
    """Seal every seed again with the current key: (how many, how many no key opened)."""
    count = lost = 0
    for factor in db.session.scalars(select(TotpFactor)):
        try:
            factor.sealed_secret = reseal(factor.sealed_secret)
            count += 1
        except Unsealable:
            lost += 1
    db.session.commit()
    return count, lost


@click.command("reseal")
@with_appcontext
def reseal_command():
    """Seal every stored secret again with the current SECRET_KEY."""
    count, lost = reseal_every_secret()
    click.echo(f"Sealed {count} secret(s) again with the current SECRET_KEY.")
    if lost:
        raise click.ClickException(
            f"{lost} secret(s) open with no key at hand: add the key that sealed "
            "them to SECRET_KEY_FALLBACKS and run this again"
        )
