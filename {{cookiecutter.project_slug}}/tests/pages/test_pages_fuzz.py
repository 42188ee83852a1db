"""Whatever a client sends to the pages, the answer is never a 5xx.

Hypothesis throws arbitrary text, numbers and raw bytes at every form field
and every route parameter, as an admin (who can reach every page). CSRF is
off here so that the input reaches the forms' own validation.
"""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.accounts.models import User

FORMS = {
    "/auth/register": ("email", "password", "confirm"),
    "/auth/login": ("email", "password", "remember"),
    "/auth/reset": ("email",),
    "/auth/reset/some-token": ("password", "confirm"),
    "/notes/new": ("title", "body"),
    "/notes/1/edit": ("title", "body"),
    "/admin/admin_users/new/": ("email", "password", "is_admin"),
    "/admin/admin_notes/new/": ("title", "body", "owner"),
}
ROUTES = (
    "/notes/{}",
    "/notes/{}/edit",
    "/auth/reset/{}",
    "/auth/login?next={}",
    "/admin/admin_users/edit/?id={}",
    "/admin/admin_notes/details/?id={}",
    "/admin/admin_users/?page={}",
    "/admin/admin_users/?search={}",
    "/admin/admin_notes/?sort={}&desc={}",
)

# Text of any script, numbers of any size, and bytes that need not be UTF-8.
values = st.one_of(
    st.text(),
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.floats().map(str),
    st.binary(),
)
fuzz = settings(
    max_examples=40,
    deadline=None,
    # One app and one transaction for every example: rows pile up, as on a server.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def admin_client(app, client, db_session, monkeypatch, password):
    """The test client, logged in as an admin, on the test database (rolled
    back afterwards), with CSRF and the attempt limits out of the way."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    for limit in ("LOGIN_RATE_LIMIT", "ACCOUNT_RATE_LIMIT", "RESET_RATE_LIMIT"):
        monkeypatch.setitem(app.config, limit, "100000 per minute")
    db_session.add(User(email="root@example.com", password=password, is_admin=True))
    db_session.commit()
    login = {"email": "root@example.com", "password": password}
    assert client.post("/auth/login", data=login).status_code == 302
    client.post("/notes/new", data={"title": "a note to edit"})
    return client


@pytest.mark.parametrize("path", list(FORMS))
@fuzz
@given(data=st.data())
def test_no_form_input_is_a_server_error(admin_client, path, data):
    fields = {name: data.draw(values, label=name) for name in FORMS[path]}
    body = urlencode({name: as_bytes(value) for name, value in fields.items()})
    response = admin_client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (path, fields)


@pytest.mark.parametrize("route", ROUTES)
@fuzz
@given(data=st.data())
def test_no_route_parameter_is_a_server_error(admin_client, route, data):
    parameters = [data.draw(values) for _ in range(route.count("{}"))]
    path = route.format(*(quote(as_bytes(value), safe="") for value in parameters))
    response = admin_client.get(path)
    assert response.status_code < 500, (route, parameters)


def as_bytes(value: str | bytes) -> bytes:
    # Lone surrogates cannot be encoded; a client would send their bytes.
    return value if isinstance(value, bytes) else value.encode(errors="surrogatepass")
