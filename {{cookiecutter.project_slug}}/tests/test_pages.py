import re

from {{ cookiecutter.package_name }}.static_files import fingerprinted_names


def test_home_page_names_the_service(client, app):
    response = client.get("/")
    assert response.status_code == 200
    assert app.config["SERVICE_NAME"].encode() in response.data
    assert b'href="/healthz"' in response.data


def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "max-age=60, public"
    response.close()


def test_pages_link_fingerprinted_static_files_cached_for_good(client):
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', page).group(1)
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
    first = fingerprinted_names(tmp_path)["app.js"]
    (tmp_path / "app.js").write_text("two")
    second = fingerprinted_names(tmp_path)["app.js"]
    assert first != second
    assert re.fullmatch(r"app\.[0-9a-f]{12}\.js", first)
