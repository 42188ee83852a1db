"""The embedded task queue: kombu's SQLAlchemy transport on a SQLite file,
looked at ten times a second instead of once.

kombu's default interval, a second, is both each task's wait on an idle queue
and the pace of a busy one: a worker that reserves one task a process (see
settings.py) sleeps a whole interval after each. The interval cannot go in
the broker's transport options, which this transport hands on to
SQLAlchemy's create_engine, so it is set here.
"""

from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport

POLLING_INTERVAL = 0.1  # seconds; an idle worker's query is a SQLite file read


class Transport(SQLAlchemyTransport):
    polling_interval = POLLING_INTERVAL
