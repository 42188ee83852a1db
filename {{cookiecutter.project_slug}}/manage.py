#!/usr/bin/env python
"""Management commands in the Flask-Script spelling, over Flask's own CLI.

    python manage.py runserver     (flask run)
    python manage.py shell         (flask shell)
    python manage.py db upgrade    (flask db upgrade)
    python manage.py routes        (flask routes)
    python manage.py check         (and every other `flask` command)

Each is the `flask` command of the same name, with the same settings.
"""

import sys

from flask.cli import FlaskGroup

from {{ cookiecutter.package_name }} import create_app

# Flask-Script names that Flask's CLI spells differently.
ALIASES = {"runserver": "run"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    cli = FlaskGroup(create_app=create_app, help=__doc__)
    cli.main(args=args, prog_name="manage.py")


if __name__ == "__main__":
    main()
