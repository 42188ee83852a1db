"""The WSGI entry point: `gunicorn wsgi:app` (see Procfile) and FLASK_APP."""

from {{ cookiecutter.package_name }} import create_app

app = create_app()
