def test_home_page_names_the_service(client, app):
    response = client.get("/")
    assert response.status_code == 200
    assert app.config["SERVICE_NAME"].encode() in response.data
    assert b'href="/healthz"' in response.data


def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()
