import re

from markupsafe import escape

from {{ cookiecutter.package_name }}.platform.static_files import content_digest


def test_home_page_names_the_service(client, app):
    response = client.get("/")
    assert response.status_code == 200
    # As the page writes it: HTML-escaped (the name may hold quotes or <).
    assert str(escape(app.config["SERVICE_NAME"])) in response.get_data(as_text=True)
    assert str(escape(app.config["SERVICE_DESCRIPTION"])) in response.get_data(as_text=True)
    assert b'href="/healthz"' in response.data


def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "max-age=60, public"
    response.close()


def test_pages_link_fingerprinted_static_files_cached_for_good(client):
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/[0-9a-f]{12}/style\.css)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    plain = client.get("/static/style.css")
    assert response.data == plain.data
    response.close()
    plain.close()


def test_a_fingerprint_changes_with_the_content(tmp_path):
    (tmp_path / "app.js").write_text("one")
    first = content_digest(tmp_path)
    (tmp_path / "app.js").write_text("two")
    second = content_digest(tmp_path)
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{12}", first)
