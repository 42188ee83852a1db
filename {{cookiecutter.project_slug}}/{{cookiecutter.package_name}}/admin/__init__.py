"""The admin at /admin/: create, read, update and delete records.

Only admins get in (`flask create-admin` makes one): a visitor is sent to
log in, a logged-in user who is not an admin gets 403. The users are here;
a resource adds its own view with `add_view` (notes/admin.py does). Each app
gets its own `Admin`, so apps built side by side (tests) share no views.
"""

import click
from flask import Blueprint, Flask, abort, request
from flask.cli import with_appcontext
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme

from ..accounts.commands import create_account
from ..accounts.models import MIN_PASSWORD_LENGTH, User, normalize_email
from ..pages import add_to_navigation
from ..pages.redirects import local_url
from ..platform.database import db
from ..platform.extending import allow_in_policy
from .views import AdminHome, UserView

URL = "/admin"
# No routes: it makes templates/admin/service_base.html known to Flask.
bp = Blueprint("admin_layout", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    # Bootstrap's stylesheet, which the admin's pages use, draws some of its
    # icons as data: images.
    allow_in_policy(app, "img-src", "data:")
    app.register_blueprint(bp)
    site = Admin(
        app,
        name=f"{app.config['SERVICE_NAME']} admin",
        url=URL,
        index_view=AdminHome(url=URL),
        theme=Bootstrap4Theme(base_template="admin/service_base.html"),
    )
    # Given `db`, the views use db.session as it is at each request.
    site.add_view(UserView(User, db, name="Users", endpoint="admin_users"))
    app.extensions["admin_site"] = site
    app.before_request(refuse_a_return_url_elsewhere)
    add_to_navigation(app, "Admin", "admin.index", admins_only=True)
    app.cli.add_command(create_admin_command)


def refuse_a_return_url_elsewhere() -> None:
    """After a change, Flask-Admin sends the browser to the page its `url`
    parameter names: only a path on this site is taken (no open redirects)."""
    if request.path.startswith(URL + "/"):
        target = request.values.get("url")
        if target is not None and local_url(target) is None:
            abort(400, description="The url parameter must be a path on this site.")


def add_view(app: Flask, view: ModelView) -> None:
    """Show another model in this app's admin."""
    app.extensions["admin_site"].add_view(view)


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address.")
@click.password_option(help=f"At least {MIN_PASSWORD_LENGTH} characters.")
@with_appcontext
def create_admin_command(email, password):
    """Create an administrator account, for /admin/."""
    create_account(email, password, is_admin=True)
    click.echo(f"Created admin {normalize_email(email)}.")
