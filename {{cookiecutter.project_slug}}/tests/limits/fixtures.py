"""The limits' fixture, for the features whose tests count attempts (the web
pages, the API): their conftest.py imports it."""

import pytest

from {{ cookiecutter.package_name }}.limits import limiter


@pytest.fixture(autouse=True)
def count_attempts_afresh(make_app):
    """Each test starts with no attempts counted, in memory. The limiter is
    one object for every app, set up by the last one made: after a test that
    made an app on Redis, make one on the test settings again."""
    if type(limiter.storage).__name__ != "MemoryStorage":
        make_app()
    limiter.reset()
    # After a test whose Redis was unreachable, the limiter counts in its
    # in-memory fallback until a limited request finds the storage again.
    limiter.limiter.storage.reset()
