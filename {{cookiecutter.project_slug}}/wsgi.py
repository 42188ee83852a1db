"""The processes' entry point (see Procfile), and FLASK_APP."""

from {{ cookiecutter.package_name }} import create_app

app = create_app()
{%- if cookiecutter.use_celery %}
celery_app = app.extensions["celery"]
{%- endif %}
