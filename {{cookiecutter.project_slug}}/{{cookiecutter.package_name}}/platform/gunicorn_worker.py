"""gunicorn's threaded worker, closing its listening socket as soon as it
stops accepting (SIGTERM), not after the requests in flight are done.

Otherwise a connection made in between waits in the socket's backlog,
unanswered, and is reset when the worker exits; closed, the socket refuses
it at once, and the client (or router) can try another dyno.

This is the one place where the service relies on an undocumented part of a
library, because nothing public does it. gunicorn has no setting for it, no
server hook runs in a worker at that moment (worker_int is for SIGINT and
SIGQUIT, worker_exit comes after the requests in flight), and its
documentation describes no method or attribute of its workers: the
set_accept_enabled() overridden here and the alive and sockets it reads are
the gthread worker's own. Python's own way, a SIGTERM handler installed in
the documented post_worker_init hook, needs the same sockets attribute and
is not safe: it closes the socket while the worker's poller still watches
it, and the worker crashes when a connection arrives before its loop has
noticed the signal.

So it is checked against one gunicorn release, CHECKED_WITH_GUNICORN, and a
test fails when another one is installed, to read it again.
"""

from gunicorn.workers.gthread import ThreadWorker

# The gunicorn release whose gthread worker this was read against.
CHECKED_WITH_GUNICORN = "27.0.1"


class ListenerClosingWorker(ThreadWorker):
    def set_accept_enabled(self, enabled):
        # Called with False when the worker leaves its loop (alive is then
        # False after SIGTERM), once its poller no longer watches the sockets.
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            for listener in self.sockets:
                listener.close()
