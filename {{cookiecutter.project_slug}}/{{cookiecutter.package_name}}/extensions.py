"""Extension objects, created unconfigured; `create_app` binds them."""

{% if cookiecutter.use_web_ui or cookiecutter.use_api -%}
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
{% endif -%}
{% if cookiecutter.use_web_ui -%}
from flask_login import LoginManager
{% endif -%}
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints let Alembic alter and drop them, on SQLite too.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
{%- if cookiecutter.use_web_ui %}
login_manager = LoginManager()
login_manager.login_view = "auth.login"  # where @login_required sends visitors
login_manager.login_message_category = "info"
{%- endif %}
{%- if cookiecutter.use_web_ui or cookiecutter.use_api %}
# Keyed by the client's address (the router's X-Forwarded-For, through
# ProxyFix) unless a limit says otherwise; see limits.py.
limiter = Limiter(get_remote_address)
{%- endif %}


def enforce_sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked."""
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
