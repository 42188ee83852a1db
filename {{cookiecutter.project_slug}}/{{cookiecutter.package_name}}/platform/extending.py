"""How a feature plugs into the platform: the only functions it needs.

Each is called from a feature's `init_app(app)`, before the app serves:

- `add_health_check(app, name, check)`: /healthz also checks a dependency;
- `add_deploy_check(app, check)`: `flask check` also looks for a problem;
- `answer_json_under(app, prefix)`: errors under a path are JSON for any client;
- `allow_in_policy(app, directive, source)`: the pages may also load a source;
- `use_page_layout(app, template)`: the platform's pages extend this layout;
- `hide_in_logs(app, prefix)`: what follows `prefix` in a path is a secret.

What they register is kept in one `Extensions` object per app, at
`app.extensions["platform"]`. One more thing a feature may read: while a
request's database is out, `g.database_unavailable` is true (errors.py sets
it before the 503 page is made), so the page asks the database nothing more.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Flask

# A check for /healthz: returns when the dependency answers, raises when not.
HealthCheck = Callable[[], None]
# A check for `flask check`: the problem it finds in the settings, or None.
DeployCheck = Callable[[Mapping], str | None]


@dataclass
class Extensions:
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    deploy_checks: list[DeployCheck] = field(default_factory=list)
    json_error_prefixes: list[str] = field(default_factory=list)
    secret_path_prefixes: list[str] = field(default_factory=list)


def registered(app: Flask) -> Extensions:
    """What the features registered with this app."""
    return app.extensions.setdefault("platform", Extensions())


def add_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    """Report `name` in /healthz. The check runs on a thread of its own,
    outside any app context: it holds what it needs (a client, say)."""
    registered(app).health_checks[name] = check


def add_deploy_check(app: Flask, check: DeployCheck) -> None:
    registered(app).deploy_checks.append(check)


def answer_json_under(app: Flask, prefix: str) -> None:
    """Answer errors under `prefix` in JSON whatever the client accepts: an
    API's clients may send no Accept header at all."""
    registered(app).json_error_prefixes.append(prefix)


def allow_in_policy(app: Flask, directive: str, source: str) -> None:
    """Let the pages load `source` for a Content-Security-Policy `directive`
    too, such as images from data: URLs."""
    policy = app.config["CONTENT_SECURITY_POLICY"]
    policy[directive] = f"{policy[directive]} {source}"


def use_page_layout(app: Flask, template: str) -> None:
    """The layout the platform's own pages (the landing page, errors) extend:
    templates/base.html unless a feature brings one with its navigation."""
    app.jinja_env.globals["page_layout"] = template


def hide_in_logs(app: Flask, prefix: str) -> None:
    """Log the paths under `prefix` without the rest, which is a secret: the
    token of a link mailed to someone, say, which would open their account
    to whoever reads the logs."""
    registered(app).secret_path_prefixes.append(prefix)
