"""gunicorn settings for a Heroku dyno, read by the Procfile's web process.

The values follow Heroku's own guidance: bind $PORT on every interface,
threads for I/O-bound requests, timeouts under the router's 30 s, keep-alive
above its 90 s idle timeout, and a graceful stop inside the 30 s that a dyno
gets between SIGTERM and SIGKILL.
"""

import gc
import os

from gunicorn.glogging import Logger

from {{ cookiecutter.package_name }}.platform.web_server import PORT, WEB_CONCURRENCY, WEB_THREADS

bind = f"[::]:{PORT.read(os.environ)}"
# WEB_CONCURRENCY is set by Heroku from the dyno size.
workers = WEB_CONCURRENCY.read(os.environ)

# gunicorn's threaded worker, closing its listening socket as soon as SIGTERM
# stops it: connections are refused then, not left to be reset (see the module).
worker_class = "{{ cookiecutter.package_name }}.platform.gunicorn_worker.ListenerClosingWorker"
threads = WEB_THREADS.read(os.environ)

timeout = 20
graceful_timeout = 20
keepalive = 95

# Load the app once, in the master, before forking: a bad configuration stops
# the server at once with its one-line error instead of looping on worker
# boots, and workers share the loaded code's memory.
preload_app = True

# And keep sharing it. A garbage collection in a worker writes to every
# object it scans, copying the memory page it sits on: after a while each
# worker would hold a copy of most of the app. So nothing is collected while
# the master loads the app, and what it loaded is frozen (moved where
# collections never look) before each fork, as Python's gc.freeze()
# documentation advises for a forking server.
gc.disable()


def when_ready(server):
    # The app is loaded; no worker is forked yet.
    gc.freeze()
    gc.enable()


def pre_fork(server, worker):
    # What the master made since, for a worker it starts later.
    gc.freeze()


def post_fork(server, worker):
    # Whatever the master's state (a reload, SIGHUP, runs this file again),
    # each worker collects its own garbage.
    gc.enable()


def on_reload(server):
    gc.enable()


# The app's ProxyFix (PROXY_HOPS) decides whether X-Forwarded-* is trusted;
# gunicorn must not apply X-Forwarded-Proto on its own as well.
secure_scheme_headers = {}

# The longest request line gunicorn takes (its default is 4094 bytes): a
# long query string then reaches the app, which answers it as the service
# answers any bad request (JSON for the API), not with gunicorn's bare
# HTML 414.
limit_request_line = 8190

# gunicorn's runtime control socket lives in $HOME; a dyno has no use for it,
# and two servers on one machine (tests, a local run) would fight over it.
control_socket_disable = True


class AppLogsRequests(Logger):
    """gunicorn's logger without its access lines.

    The app already logs one logfmt line per request with its request id.
    Heroku's buildpack turns gunicorn's access log on through
    GUNICORN_CMD_ARGS, which overrides this file, so it is silenced here.
    """

    def access(self, resp, req, environ, request_time):
        pass


logger_class = AppLogsRequests
