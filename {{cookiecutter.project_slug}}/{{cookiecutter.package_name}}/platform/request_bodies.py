"""Request bodies read before the app runs, within REQUEST_BODY_SECONDS.

Heroku's router passes a body on as the client sends it, and gunicorn gives
the request a thread before the body has come: a client sending a byte a
second would hold that thread as long as it liked. So reader threads of
this module's own read each body while the request's thread waits at most
REQUEST_BODY_SECONDS; then the app reads the body from memory, or the client
gets 408 and its connection is closed. And one thread of each process is
always left to requests that are ready: when all the others wait on bodies,
a body has CROWDED_SECONDS to arrive. Slow clients then cost the service
little, and a slow honest upload during such an attack is refused; a proxy
that buffers bodies, in front of the service, is the whole answer.
"""

import errno
import io
import os
import queue
import threading
from concurrent.futures import Future

from flask import Flask, request
from werkzeug.exceptions import RequestTimeout
from werkzeug.wsgi import get_content_length

# Set in the environ of a request whose body came too late: the app answers 408.
BODY_TIMED_OUT = f"{__name__}.timed_out"
# Seconds a body may take while every thread but one already waits on a body.
CROWDED_SECONDS = 0.25


def init_app(app: Flask) -> None:
    # Before every other hook (the platform is set up first): neither CSRF
    # nor the limits must judge the empty body a late request is given.
    app.before_request(refuse_late_body)


def refuse_late_body():
    if request.environ.get(BODY_TIMED_OUT):
        raise RequestTimeout("The request's body did not arrive in time.")


class RequestBodyDeadline:
    """WSGI middleware: the body of each request that has one is read by the
    reader threads, and waited for `seconds` at most (0: not at all, the
    body is left to the app as the server gave it).

    Requests without a body are passed on untouched. A Content-Length over
    `max_length` is passed on unread too: Flask refuses it (413) before
    reading a byte. A chunked body is read to one byte past `max_length` at
    most, for Flask to refuse the same way. At most `threads - 1` requests
    wait `seconds`; the others wait CROWDED_SECONDS.
    """

    def __init__(self, wsgi_app, seconds: float, max_length: int, threads: int):
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.max_length = max_length
        self.waiting = threading.BoundedSemaphore(max(1, threads - 1))
        # Four readers a thread, since readers given up on wait for their
        # clients: when all are taken, bodies wait in turn, and get 408 too.
        READERS.need(4 * threads)

    def __call__(self, environ, start_response):
        length = get_content_length(environ)  # None for a chunked body
        chunked = length is None and "HTTP_TRANSFER_ENCODING" in environ
        if not self.seconds or not (length or chunked) or (length or 0) > self.max_length:
            return self.wsgi_app(environ, start_response)
        limit = self.max_length + 1 if chunked else length
        future = READERS.submit(read_body, environ["wsgi.input"], limit)
        try:
            body = self.wait_for(future)
        except TimeoutError:
            future.cancel()  # when it is still waiting for a reader
            environ[BODY_TIMED_OUT] = True
            return answer_then_close(self.wsgi_app(with_body(environ, b""), start_response))
        return self.wsgi_app(with_body(environ, body), start_response)

    def wait_for(self, future: Future) -> bytes:
        """The body, or TimeoutError once this request's wait is over."""
        if not self.waiting.acquire(blocking=False):
            return future.result(timeout=CROWDED_SECONDS)
        try:
            return future.result(timeout=self.seconds)
        finally:
            self.waiting.release()


def with_body(environ, body: bytes) -> dict:
    """The environ, its body now these bytes in memory, of a known length."""
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def read_body(stream, limit: int) -> bytes:
    """`stream` to its end, or to `limit` bytes."""
    parts, size = [], 0
    while size < limit and (part := stream.read(limit - size)):
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def answer_then_close(response):
    """The answer, then the end of the connection.

    A reader may still be reading the rest of the body from the connection,
    so it must carry no other request. gunicorn gives an app no way to say
    so: it drops a Connection header, and keeps the connection after
    reading the rest of the body itself. An error raised once the answer is
    sent aborts the connection instead (PEP 3333); a connection reset is
    the error gunicorn and Werkzeug's server take quietly.
    """
    try:
        yield from response
    finally:
        if hasattr(response, "close"):
            response.close()
    raise ConnectionResetError(errno.ECONNRESET, "the request's body did not arrive in time")


class ReaderThreads:
    """Threads that read bodies in turn, as many a process as the most any
    app needs.

    Started on first use in each process: gunicorn loads the app in its
    master, and the workers it forks inherit no threads. Daemon threads,
    unlike a ThreadPoolExecutor's: a reader given up on waits until its
    client sends another byte or the connection ends, and must not keep the
    process from exiting meanwhile.
    """

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        self.pid = None
        self.started = 0
        self.tasks = queue.SimpleQueue()

    def need(self, count: int) -> None:
        with self.lock:
            self.count = max(self.count, count)

    def submit(self, function, *args) -> Future:
        future = Future()
        with self.lock:
            if self.pid != os.getpid():
                self.pid, self.tasks, self.started = os.getpid(), queue.SimpleQueue(), 0
            while self.started < self.count:
                name = f"request-body-{self.started}"
                threading.Thread(target=work, args=(self.tasks,), name=name, daemon=True).start()
                self.started += 1
        self.tasks.put((future, function, args))
        return future


def work(tasks: queue.SimpleQueue) -> None:
    while True:
        future, function, args = tasks.get()
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(function(*args))
            except Exception as error:
                future.set_exception(error)


READERS = ReaderThreads()
