"""Reading one value out of the environment: the helpers config.py's policy,
and each feature's settings, are written with.

Each helper names the variable in its error, and a value that cannot be read
stops the process with that one line (ConfigError) rather than a traceback.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit


class ConfigError(SystemExit):
    """The configuration cannot run: stop with one line, not a traceback.

    It derives from SystemExit so that whatever loads the app (gunicorn,
    `flask`, `manage.py`) exits non-zero printing only the message.
    """

    def __init__(self, message):
        super().__init__(f"error: {message}")


def bool_setting(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name, "").lower()
    if not value:
        return default
    if value not in ("true", "false", "1", "0"):
        raise ConfigError(f"{name} is {value!r}; use true or false")
    return value in ("true", "1")


def int_setting(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} is {value!r}; use a whole number") from None


def choice_setting(environ: Mapping[str, str], name: str, choices: tuple, default: str) -> str:
    value = environ.get(name, default)
    if value not in choices:
        raise ConfigError(f"{name} is {value!r}; use one of {', '.join(choices)}")
    return value


def origin_setting(environ: Mapping[str, str], name: str) -> str:
    """A URL's scheme://host[:port], or "" when unset."""
    url = environ.get(name, "")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ConfigError(f"{name} is {url!r}; use the service's origin, like https://example.com")
    return f"{parts.scheme}://{parts.netloc}"


def list_setting(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated value as a list, blanks dropped."""
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]
