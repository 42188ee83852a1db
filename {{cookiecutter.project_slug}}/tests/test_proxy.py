from flask import request, url_for

from {{ cookiecutter.package_name }} import create_app


def make_app(**environ):
    app = create_app({"APP_ENV": "test", **environ})

    @app.get("/whoami")
    def whoami():
        return {
            "scheme": request.scheme,
            "remote_addr": request.remote_addr,
            "url": url_for("home.index", _external=True),
        }

    return app


ROUTER_HEADERS = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
}


def test_the_routers_headers_are_trusted():
    body = make_app().test_client().get("/whoami", headers=ROUTER_HEADERS).json
    assert body["scheme"] == "https"
    assert body["remote_addr"] == "203.0.113.7"
    assert body["url"].startswith("https://")


def test_a_client_cannot_choose_the_host():
    headers = {**ROUTER_HEADERS, "X-Forwarded-Host": "evil.example"}
    body = make_app().test_client().get("/whoami", headers=headers).json
    assert "evil.example" not in body["url"]


def test_no_proxy_means_no_trust():
    body = make_app(PROXY_HOPS="0").test_client().get("/whoami", headers=ROUTER_HEADERS).json
    assert body["scheme"] == "http"
    assert body["remote_addr"] != "203.0.113.7"
