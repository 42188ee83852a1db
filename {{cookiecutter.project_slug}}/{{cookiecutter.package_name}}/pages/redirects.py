"""Where a page may send the browser next: a path on this site, never
another site (no open redirects), whatever a link or form says."""

import re
from urllib.parse import urlsplit

# Control characters and spaces have no place in a path we redirect to.
UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def local_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no open redirects."""
    if not target or UNSAFE_IN_URL.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:  # browsers read a backslash as a slash: /\host is //host
        return None
    return target
