"""Static files through WhiteNoise, under a fingerprint browsers may cache for good.

`url_for("static", filename="style.css")` gives `/static/<digest>/style.css`,
where the digest is that of every static file's content: it changes whenever
a file does, so browsers may keep what they got forever. The plain
`/static/style.css` still answers, with a short cache lifetime. No CDN and
no build step: the digest is computed when the app starts.
"""

import hashlib
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

PLAIN_NAME_MAX_AGE = 60  # seconds
DIGEST_LENGTH = 12


def serve_static_files(app: Flask) -> None:
    root = Path(app.static_folder)
    prefix = app.static_url_path.rstrip("/") + "/"
    fingerprinted = f"{prefix}{content_digest(root)}/"
    static_server = WhiteNoise(
        app.wsgi_app,
        root=root,
        prefix=prefix,
        max_age=PLAIN_NAME_MAX_AGE,
        # With the debugger on, files are looked up on each request, so an
        # edited stylesheet shows on the next reload.
        autorefresh=app.debug,
        immutable_file_test=lambda path, url: url.startswith(fingerprinted),
    )
    app.wsgi_app = static_server
    if app.debug:
        return
    static_server.add_files(root, prefix=fingerprinted)

    @app.url_defaults
    def use_fingerprinted_url(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprinted.removeprefix(prefix) + values["filename"]


def content_digest(root: Path) -> str:
    """A digest of every file's name and content under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:DIGEST_LENGTH]
