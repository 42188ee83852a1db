"""`GET /healthz`: each dependency's status, 200 when all are up, else 503.

The database is checked in the request's own thread, bounded by its own
timeouts; the features' checks (extending.add_health_check) run meanwhile on
a pool of threads, and one that has not answered within CHECK_TIMEOUT counts
as failed: a frozen dependency makes the answer degraded, never late.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CheckTimeout

from flask import Blueprint, current_app
from sqlalchemy import text

from .database import db
from .extending import registered

bp = Blueprint("health", __name__)

CHECK_TIMEOUT = 3  # seconds; routers and uptime monitors wait 5 s or more
# Threads the checks run in, kept for the life of the process: starting new
# ones on every call cost more than the checks. A check that hangs holds one
# until its dependency's own timeout (Redis's, say) lets go of it.
CHECK_THREADS = 8
pools: dict[int, ThreadPoolExecutor] = {}
pools_lock = threading.Lock()

OK = {"status": "ok"}


def check_pool() -> ThreadPoolExecutor:
    """This process's pool: gunicorn forks its workers from a master that
    loaded the app, and threads do not survive a fork."""
    pid = os.getpid()
    with pools_lock:
        if pid not in pools:
            pools[pid] = ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="health")
        return pools[pid]


def check_database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def failure(name: str, error: Exception) -> dict:
    current_app.logger.warning("health check %s failed: %r", name, error)
    # The class name only: driver messages can carry hosts or users.
    return {"status": "error", "error": type(error).__name__}


@bp.get("/healthz")
def healthz():
    pool = check_pool()
    checks_of_features = registered(current_app).health_checks
    running = {name: pool.submit(check) for name, check in checks_of_features.items()}
    deadline = time.monotonic() + CHECK_TIMEOUT
    checks = {}
    try:
        check_database()
    except Exception as error:
        checks["database"] = failure("database", error)
    else:
        checks["database"] = OK
    for name, future in running.items():
        try:
            future.result(timeout=max(0, deadline - time.monotonic()))
        except CheckTimeout:
            current_app.logger.warning("health check %s: no answer in %s s", name, CHECK_TIMEOUT)
            checks[name] = {"status": "error", "error": "Timeout"}
        except Exception as error:
            checks[name] = failure(name, error)
        else:
            checks[name] = OK
    healthy = all(result is OK for result in checks.values())
    body = {"status": "ok" if healthy else "degraded", "checks": checks}
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
