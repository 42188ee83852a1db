"""Security on every request and response: CSRF protection for every form,
and the headers on pages, errors, redirects and static files.

Headers and the redirect to HTTPS come from a small WSGI middleware rather
than an `after_request` hook, because WhiteNoise answers static files before
Flask sees the request. A header a view set itself is left alone.
"""

from urllib.parse import urlsplit, urlunsplit

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_current_url

# Flask-WTF's: a POST, PUT, PATCH or DELETE without the session's token is
# refused with 400. A feature whose clients authenticate otherwise, with a
# token they send themselves, exempts its blueprints.
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    csrf.init_app(app)


# Scripts and styles only from this site's own files: no inline <script>,
# no style="" attributes, no CDN. A feature that serves more widens it in
# its own files (extending.allow_in_policy).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

OTHER_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


# Sent only over HTTPS: a browser ignores it over HTTP, and a local
# http://127.0.0.1 must stay reachable. One year, the usual preload minimum.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


# An answer that depends on who asks is kept out of browser and proxy caches,
# which would otherwise keep a person's notes or a fresh API token on disk.
PRIVATE = ("Cache-Control", "no-store")


def is_private(environ, headers) -> bool:
    """Whether the answer depends on credentials or on the session: Flask
    marks the latter with `Vary: Cookie` whenever a view reads the session."""
    if "HTTP_AUTHORIZATION" in environ:
        return True
    return any(name.lower() == "vary" and "cookie" in value.lower() for name, value in headers)


# An uptime monitor or a load balancer may check health over plain HTTP: the
# health check answers either way (it carries nothing private).
REDIRECT_EXEMPT_PATHS = frozenset({"/healthz"})


class SecurityHeaders:
    """WSGI middleware adding the policy, `OTHER_HEADERS` (and HSTS over
    HTTPS) to each response, and sending plain-HTTP requests to HTTPS when
    `force_https` is on.

    Place it inside ProxyFix, so that `wsgi.url_scheme` already says https
    for a request that reached the router over TLS.
    """

    def __init__(self, wsgi_app, policy: dict, force_https: bool = False, public_url: str = ""):
        self.wsgi_app = wsgi_app
        self.force_https = force_https
        # With PUBLIC_URL set, redirects go to its host, never to one a client named.
        self.https_host = urlsplit(public_url).netloc if public_url else ""
        policy_header = "; ".join(f"{name} {sources}" for name, sources in policy.items())
        self.headers = (("Content-Security-Policy", policy_header), *OTHER_HEADERS)
        self.https_headers = (*self.headers, STRICT_TRANSPORT_SECURITY)

    def __call__(self, environ, start_response):
        https = environ.get("wsgi.url_scheme") == "https"
        extra = self.https_headers if https else self.headers

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend((name, value) for name, value in extra if name.lower() not in present)
            if "cache-control" not in present and is_private(environ, headers):
                headers.append(PRIVATE)
            return start_response(status, headers, exc_info)

        if self.force_https and not https and environ.get("PATH_INFO") not in REDIRECT_EXEMPT_PATHS:
            return self.redirect_to_https(environ, start_with_headers)
        return self.wsgi_app(environ, start_with_headers)

    def redirect_to_https(self, environ, start_response):
        try:
            url = urlsplit(get_current_url(environ))
        except SecurityError:  # a Host header no server could have
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"Bad Request"]
        location = urlunsplit(
            ("https", self.https_host or url.netloc, url.path, url.query, url.fragment)
        )
        # 308 keeps the method and body of a POST; a GET may be cached (301).
        status = "301 Moved Permanently"
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            status = "308 Permanent Redirect"
        start_response(status, [("Location", location), ("Content-Length", "0")])
        return [b""]
