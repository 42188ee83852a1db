import pytest
from flask import request, session

from {{ cookiecutter.package_name }}.platform.settings import ConfigError, load_settings

PAGES = ["/", "/healthz", "/static/style.css", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    response.close()


def test_hsts_only_when_the_request_came_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    # What Heroku's router says about a request that reached it over TLS.
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_ignores_a_forged_proto_without_a_trusted_proxy(make_app):
    client = make_app(PROXY_HOPS="0").test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page
    assert "<style" not in page
    assert "style=" not in page


def https_app(make_app, **environ):
    """An app that sends plain-HTTP requests to HTTPS, as production does."""
    return make_app(FORCE_HTTPS="true", **environ)


def test_plain_http_is_redirected_to_https(make_app):
    client = https_app(make_app).test_client()
    response = client.get("/static/style.css?v=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://localhost/static/style.css?v=1"
    # The redirect carries the security headers like any other answer.
    assert response.headers["X-Frame-Options"] == "DENY"
    posted = client.post("/anything", data={"a": "b"})
    assert posted.status_code == 308  # keeps the method and the body


def test_https_and_the_health_check_are_not_redirected(make_app):
    client = https_app(make_app).test_client()
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_production_redirects_by_default(tmp_path):
    environ = {"APP_ENV": "production", "SECRET_KEY": "s" * 48}
    assert load_settings(environ, str(tmp_path))["FORCE_HTTPS"] is True
    assert load_settings({**environ, "FORCE_HTTPS": "false"}, str(tmp_path))["FORCE_HTTPS"] is False


def test_the_redirect_goes_to_the_public_host_not_the_one_asked_for(make_app):
    client = https_app(make_app, PUBLIC_URL="https://service.example").test_client()
    response = client.get("/a?b=c", headers={"Host": "service.example"})
    assert response.headers["Location"] == "https://service.example/a?b=c"


def test_requests_for_other_hosts_are_refused_when_public_url_is_set(make_app):
    app = make_app(PUBLIC_URL="https://service.example", ALLOWED_HOSTS="other.example")
    client = app.test_client()
    assert client.get("/", headers={"Host": "service.example"}).status_code == 200
    assert client.get("/", headers={"Host": "other.example:8443"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_any_host_is_served_without_public_url(client):
    assert client.get("/", headers={"Host": "anything.example"}).status_code == 200


@pytest.mark.parametrize("url", ["ftp://service.example", "service.example", "https://a.b/path"])
def test_a_public_url_must_be_an_origin(tmp_path, url):
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_settings({"APP_ENV": "test", "PUBLIC_URL": url}, str(tmp_path))


@pytest.fixture
def echo_app(make_app):
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False

    @app.post("/echo")
    def echo():
        return {"form": len(request.form), "data": len(request.get_data())}

    return app


def test_a_body_over_the_limit_is_413_before_it_is_read(echo_app):
    client = echo_app.test_client()
    too_big = "x" * (1024 * 1024 + 1)
    response = client.post("/echo", data={"text": too_big}, headers={"Accept": "text/html"})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert client.post("/echo", data=too_big, content_type="text/plain").status_code == 413
    assert client.post("/echo", data={"text": "x" * 1000}).json == {"form": 1, "data": 0}


def test_forms_with_too_many_parts_are_413(echo_app):
    parts = {f"field{n}": "x" for n in range(101)}
    response = echo_app.test_client().post("/echo", data=parts, content_type="multipart/form-data")
    assert response.status_code == 413


def test_answers_to_credentials_are_not_stored_by_caches(client):
    response = client.get("/healthz", headers={"Authorization": "Basic eDp5"})
    assert response.headers["Cache-Control"] == "no-store"


def test_only_answers_that_vary_by_session_or_credentials_are_kept_out_of_caches(make_app):
    app = make_app()

    @app.get("/reads-the-session")
    def reads_the_session():
        return {"visits": session.get("visits", 0)}

    @app.get("/public")
    def public():
        return {"public": True}

    client = app.test_client()
    assert client.get("/reads-the-session").headers["Cache-Control"] == "no-store"
    response = client.get("/public")
    # (A login extension may read the session after every request.)
    varies_by_cookie = "Cookie" in response.headers.get("Vary", "")
    assert ("Cache-Control" in response.headers) is varies_by_cookie
