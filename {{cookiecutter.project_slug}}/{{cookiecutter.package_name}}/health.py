"""`GET /healthz`: the status of each dependency, 200 when all are up.

Features add their dependency with `register_health_check`; the endpoint
answers 503 (degraded) as soon as one of them fails.
"""

from collections.abc import Callable

from flask import Blueprint, Flask, current_app
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)


def register_health_check(app: Flask, name: str, check: Callable[[], None]) -> None:
    """Add a check: a function that returns when healthy and raises when not."""
    app.extensions.setdefault("health_checks", {})[name] = check


def check_database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


@bp.get("/healthz")
def healthz():
    checks = {}
    for name, check in current_app.extensions.get("health_checks", {}).items():
        try:
            check()
        except Exception as error:
            current_app.logger.warning("health check %s failed: %r", name, error)
            # The class name only: driver messages can carry hosts or users.
            checks[name] = {"status": "error", "error": type(error).__name__}
        else:
            checks[name] = {"status": "ok"}
    healthy = all(result["status"] == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks}
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
