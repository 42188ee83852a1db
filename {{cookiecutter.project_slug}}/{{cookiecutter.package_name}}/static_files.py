"""Static files through WhiteNoise, with fingerprinted names cached for a year.

`url_for("static", filename="style.css")` gives `/static/style.<hash>.css`:
the name changes whenever the content does, so browsers may keep the file
forever. The plain name still answers, with a short cache lifetime. No CDN
and no build step: the fingerprints are computed when the app starts.
"""

import hashlib
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

PLAIN_NAME_MAX_AGE = 60  # seconds
FINGERPRINT_LENGTH = 12


def register_static_files(app: Flask) -> None:
    root = Path(app.static_folder)
    prefix = app.static_url_path.rstrip("/") + "/"
    # With the debugger on, files are looked up on each request and not
    # fingerprinted, so an edited stylesheet shows on the next reload.
    fingerprinted = {} if app.debug else fingerprinted_names(root)
    immutable_urls = {prefix + name for name in fingerprinted.values()}
    static_server = WhiteNoise(
        app.wsgi_app,
        root=root,
        prefix=prefix,
        max_age=PLAIN_NAME_MAX_AGE,
        autorefresh=app.debug,
        immutable_file_test=lambda path, url: url in immutable_urls,
    )
    for name, fingerprinted_name in fingerprinted.items():
        static_server.add_file_to_dictionary(prefix + fingerprinted_name, str(root / name))
    app.wsgi_app = static_server

    @app.url_defaults
    def use_fingerprinted_name(endpoint, values):
        if endpoint == "static" and values.get("filename") in fingerprinted:
            values["filename"] = fingerprinted[values["filename"]]


def fingerprinted_names(root: Path) -> dict[str, str]:
    """Map each file's name under `root` to the name with its content's hash."""
    names = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
            name = path.relative_to(root).as_posix()
            stem, dot, suffix = name.rpartition(".")
            names[name] = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    return names
