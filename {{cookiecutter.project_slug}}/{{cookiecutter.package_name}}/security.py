"""Security headers on every response: pages, errors, redirects and static files.

They are added by a small WSGI middleware rather than an `after_request`
hook, because WhiteNoise answers static files before Flask sees the request.
A header a view set itself is left alone.
"""

# Scripts and styles only from this site's own files: no inline <script>,
# no style="" attributes, no CDN. data: images are for Bootstrap's icons
# (the admin's stylesheet draws some with them).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)

# Sent only over HTTPS: a browser ignores it over HTTP, and a local
# http://127.0.0.1 must stay reachable. One year, the usual preload minimum.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """WSGI middleware adding `HEADERS` (and HSTS over HTTPS) to each response.

    Place it inside ProxyFix, so that `wsgi.url_scheme` already says https
    for a request that reached the router over TLS.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        extra = list(HEADERS)
        if environ.get("wsgi.url_scheme") == "https":
            extra.append(STRICT_TRANSPORT_SECURITY)

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend((name, value) for name, value in extra if name.lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)
