"""Each environment variable the service reads is declared once, as a
`Setting`, in the module that uses it (its module's SETTINGS lists it).

From the declarations come the values (`Setting.read`), .env.example,
docs/configuration.md's table and app.json's env (`flask settings write`,
settings_files.py) and `flask check`'s missing settings. A value that
cannot be read stops the process with one line naming the variable
(ConfigError), not a traceback.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class ConfigError(SystemExit):
    """The configuration cannot run: stop with one line, not a traceback.

    It derives from SystemExit so that whatever loads the app (gunicorn,
    `flask`, `manage.py`) exits non-zero printing only the message.
    """

    def __init__(self, message):
        super().__init__(f"error: {message}")


def text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    # What it does, in a sentence or two: .env.example, the docs and
    # app.json show it.
    help: str
    # The value when the variable is unset or empty, written as in .env;
    # "" means none.
    default: str = ""
    # Turns the text into the value, or raises ValueError saying what to use.
    parse: Callable[[str], Any] = text
    # .env.example sets this for local work; otherwise it shows the variable
    # commented out, with the default or this example.
    local: str | None = None
    example: str = ""
    # A secret: app.json has Heroku generate it.
    secret: bool = False
    # `flask check` reports it when production runs without it.
    required_in_production: bool = False
    # app.json lists it (Heroku's deploy button asks for it), with this value.
    on_heroku: bool = False
    heroku_value: str = ""

    def read(self, environ: Mapping[str, str]) -> Any:
        value = environ.get(self.name, "") or self.default
        try:
            return self.parse(value)
        except ValueError as error:
            raise ConfigError(f"{self.name} is {value!r}; {error}") from None


# Parsers: each takes the variable's text ("" when unset and without a
# default) and returns its value, or raises ValueError saying what to use.


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("use a whole number") from None


def seconds(value: str) -> float:
    """A duration in seconds, 0 or more: 10, 2.5."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 <= number < math.inf:
        raise ValueError("use a number of seconds, such as 10 or 2.5")
    return number


def true_or_false(value: str) -> bool | None:
    """True or False; None when unset, for a default that depends on the profile."""
    if not value:
        return None
    if value.lower() not in ("true", "false", "1", "0"):
        raise ValueError("use true or false")
    return value.lower() in ("true", "1")


def one_of(*choices: str) -> Callable[[str], str]:
    def choice(value: str) -> str:
        if value not in choices:
            raise ValueError(f"use one of {', '.join(choices)}")
        return value

    return choice


def origin(value: str) -> str:
    """A URL's scheme://host[:port], or "" when unset."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ValueError("use the service's origin, like https://example.com")
    return f"{parts.scheme}://{parts.netloc}"


def comma_separated(value: str) -> list[str]:
    """A comma-separated value as a list, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]
