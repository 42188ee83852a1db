"""The development mailbox: every mail the service sends, kept and shown at
/dev/mail, so that sign-up and reset links can be followed without a mail
server.

Mail is sent by every web process and by the worker, so each message is a
file in the instance folder, which they all see, rather than a list in one
process's memory. Only DEV_MAILBOX turns it on (development does by
default): anyone who can reach the pages can read every mail.
"""

import contextlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail", template_folder="templates")

# The newest messages kept; older ones are deleted as new ones come.
KEEP = 200
# A message's name: when it was kept (nanoseconds), then a random part.
MESSAGE_NAME = re.compile(r"\d{20}-[0-9a-f]{8}")
LINK = re.compile(r"(https?://[^\s<>\"']+)")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@dataclass(frozen=True)
class KeptMail:
    name: str
    message: EmailMessage

    @property
    def kept_at(self) -> datetime:
        return datetime.fromtimestamp(int(self.name.partition("-")[0]) / 1e9, UTC)

    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def pieces(self) -> list[tuple[str, bool]]:
        """The body as (text, is_link) pieces: its links made clickable."""
        return [(piece, index % 2 == 1) for index, piece in enumerate(LINK.split(self.body()))]


def folder() -> Path:
    return Path(current_app.instance_path) / "mailbox"


def keep(message: EmailMessage) -> None:
    """Write the message where every process sees it, whole or not at all."""
    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
    partial = where / f"{name}.partial"
    partial.write_bytes(message.as_bytes(policy=policy.SMTP))
    os.replace(partial, where / f"{name}.eml")
    for old in names()[KEEP:]:
        with contextlib.suppress(FileNotFoundError):  # another process was first
            (where / f"{old}.eml").unlink()


def names() -> list[str]:
    """The kept messages' names, newest first."""
    if not folder().is_dir():
        return []
    found = (path.stem for path in folder().glob("*.eml"))
    return sorted((name for name in found if MESSAGE_NAME.fullmatch(name)), reverse=True)


def read(name: str, headers_only: bool = False) -> KeptMail | None:
    if not MESSAGE_NAME.fullmatch(name):
        return None
    try:
        with (folder() / f"{name}.eml").open("rb") as file:
            message = BytesParser(policy=policy.default).parse(file, headersonly=headers_only)
    except FileNotFoundError:
        return None
    return KeptMail(name, message)


@bp.get("/")
def index():
    mails = [mail for name in names() if (mail := read(name, headers_only=True))]
    return render_template("mail/mailbox.html", mails=mails)


@bp.get("/<name>")
def message(name):
    mail = read(name)
    if mail is None:
        abort(404, description="No such mail in the mailbox.")
    return render_template("mail/message.html", mail=mail)
