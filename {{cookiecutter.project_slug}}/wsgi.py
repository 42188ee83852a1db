"""The processes' entry point (see Procfile), and FLASK_APP."""

from {{ cookiecutter.package_name }} import create_app

app = create_app()
{#- The worker and beat lines name the Celery app the worker feature made; a
    project without the worker has none to name. #}
{%- if cookiecutter.use_celery %}
celery_app = app.extensions["celery"]
{%- endif %}
