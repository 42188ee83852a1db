"""What every web page shares: the layout with its navigation
(templates/pages/layout.html), the base of every form (forms.py) and the
macro that renders one (templates/pages/form.html)."""

from dataclasses import dataclass

from flask import Blueprint, Flask

from ..platform.extending import use_page_layout

# No routes: it makes this package's templates known to Flask.
bp = Blueprint("pages", __name__, template_folder="templates")


@dataclass(frozen=True)
class NavigationLink:
    label: str
    endpoint: str
    admins_only: bool = False


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The platform's own pages (the landing page, errors) in this layout too.
    use_page_layout(app, "pages/layout.html")
    app.jinja_env.globals["navigation"] = []


def add_to_navigation(app: Flask, label: str, endpoint: str, admins_only: bool = False) -> None:
    """A link in the layout's navigation, shown to logged-in users."""
    app.jinja_env.globals["navigation"].append(NavigationLink(label, endpoint, admins_only))
