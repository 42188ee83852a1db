import pytest
from flask import request
from flask_wtf.csrf import generate_csrf


@pytest.fixture
def form_app(make_app):
    app = make_app()

    @app.route("/form", methods=["GET", "POST"])
    def form():
        if request.method == "POST":
            return "accepted"
        return generate_csrf()  # what a rendered form would embed

    return app


def test_a_forged_post_is_refused(form_app):
    response = form_app.test_client().post("/form", data={"title": "x"})
    assert response.status_code == 400
    assert b"CSRF" in response.data


def test_a_post_with_a_wrong_token_is_refused(form_app):
    client = form_app.test_client()
    client.get("/form")
    response = client.post("/form", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_a_post_with_the_forms_token_is_accepted(form_app):
    client = form_app.test_client()
    token = client.get("/form").get_data(as_text=True)
    response = client.post("/form", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.data == b"accepted"
