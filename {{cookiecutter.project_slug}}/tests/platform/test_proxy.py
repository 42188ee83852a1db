import pytest
from flask import request, url_for


@pytest.fixture
def whoami_app(make_app):
    def make(**environ):
        app = make_app(**environ)

        @app.get("/whoami")
        def whoami():
            return {
                "scheme": request.scheme,
                "remote_addr": request.remote_addr,
                "url": url_for("home.index", _external=True),
            }

        return app.test_client()

    return make


ROUTER_HEADERS = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
}


def test_the_routers_headers_are_trusted(whoami_app):
    body = whoami_app().get("/whoami", headers=ROUTER_HEADERS).json
    assert body["scheme"] == "https"
    assert body["remote_addr"] == "203.0.113.7"
    assert body["url"].startswith("https://")


def test_a_client_cannot_choose_the_host(whoami_app):
    headers = {**ROUTER_HEADERS, "X-Forwarded-Host": "evil.example"}
    body = whoami_app().get("/whoami", headers=headers).json
    assert "evil.example" not in body["url"]


def test_no_proxy_means_no_trust(whoami_app):
    body = whoami_app(PROXY_HOPS="0").get("/whoami", headers=ROUTER_HEADERS).json
    assert body["scheme"] == "http"
    assert body["remote_addr"] != "203.0.113.7"
