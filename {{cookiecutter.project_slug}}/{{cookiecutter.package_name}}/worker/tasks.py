"""Background tasks, run by the worker process; beat schedules the periodic ones.

The queue delivers each task at least once: a task whose worker dies before
it finished goes back to the queue and runs again. So every task here is
idempotent (running it twice leaves the same result as running it once);
keep yours so.
"""

import logging
from datetime import UTC, datetime, timedelta

from celery import shared_task
from sqlalchemy import func, select

from ..accounts.models import User
from ..platform.database import db

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=False)  # `flask tasks ping` waits for it
def ping(self) -> dict:
    """A round trip through the queue: `flask tasks ping`."""
    return {"pong": True, "worker": self.request.hostname}


@shared_task
def log_daily_summary() -> dict:
    """The scheduled example (see beat_schedule in worker/settings.py)."""
    since = datetime.now(UTC) - timedelta(days=1)
    summary = {
        "new_users": db.session.scalar(
            select(func.count()).select_from(User).where(User.created_at >= since)
        ),
    }
    logger.info("daily summary", extra={"fields": summary})
    return summary
