"""`flask tasks ...`: talk to the worker process through the task queue."""

import time

import click
from celery.exceptions import TimeoutError as TaskTimeout
from flask import current_app
from flask.cli import with_appcontext
from kombu.exceptions import OperationalError as QueueUnreachable
from redis.exceptions import RedisError

from .celery_app import broker_check
from .tasks import ping


@click.group("tasks")
def tasks_group():
    """Talk to the worker process through the task queue."""


@tasks_group.command("ping")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait.")
@with_appcontext
def ping_command(timeout):
    """Send a task through the queue and wait for a worker's answer."""
    started = time.perf_counter()
    try:
        # First, as /healthz does: the result store would retry for 20 s.
        broker_check(current_app)()
    except (QueueUnreachable, RedisError) as error:
        raise click.ClickException(f"cannot reach the task queue: {error}") from None
    try:
        # A worker that starts after the timeout drops the ping instead of answering.
        answer = ping.apply_async(expires=timeout).get(timeout=timeout)
    except TaskTimeout:
        raise click.ClickException(
            f"no worker answered within {timeout:g} s; is the worker process running?"
        ) from None
    latency_ms = (time.perf_counter() - started) * 1000
    click.echo(f"pong from {answer['worker']} in {latency_ms:.0f} ms")
