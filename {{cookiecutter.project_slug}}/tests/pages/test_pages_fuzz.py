"""Whatever a client sends to the pages, the answer is never a 5xx.

The forms and routes come from the app's URL map, so a new page is fuzzed
without editing this file. Hypothesis throws arbitrary text, numbers and raw
bytes at every form field and every route parameter, as an admin (who can
reach every page). CSRF is off here so that the input reaches the forms'
own validation.
"""

import re
import tempfile
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.accounts.models import User

# The JSON API has a contract test of its own; static files take no input.
NOT_PAGES = ("/api/", "/static/", "/admin/static/")
# Fields some forms take besides their inputs (the admin's delete buttons
# post an id and the page to return to), and query parameters some pages read.
EXTRA_FIELDS = ("id", "url", "next")
QUERY_PARAMETERS = ("next", "id", "url", "page", "page_size", "search", "sort", "desc")
# Flask-Admin's edit and details pages name their record in the query string.
RECORD_IN_QUERY = ("edit_view", "details_view")
FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
# A parameter in a URL rule, as Werkzeug spells it: <converter(args):name>.
RULE_PARAMETER = re.compile(r"<(?:([^:<>(]+)(?:\([^)]*\))?:)?([^<>]+)>")


def page_rules():
    """The pages' URL rules, from an app made for the purpose."""
    app = create_app({"APP_ENV": "test", "INSTANCE_PATH": tempfile.mkdtemp()})
    rules = [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith(NOT_PAGES)]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


RULES = page_rules()
FORMS = [rule for rule in RULES if "POST" in rule.methods]
ROUTES = [rule for rule in RULES if "GET" in rule.methods]

# Text of any script, numbers of any size, and bytes that need not be UTF-8.
values = st.one_of(
    st.text(),
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.floats().map(str),
    st.binary(),
)
# Examples per form and per route: every page is covered, in seconds.
fuzz_forms, fuzz_routes = (
    settings(
        max_examples=examples,
        deadline=None,
        # One app and one database for every example: rows pile up, as on a server.
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    for examples in (30, 15)
)


@pytest.fixture
def admin_client(app, client, db_session, monkeypatch, password):
    """The test client, logged in as an admin, with a note of its own, CSRF
    and the attempt and write limits out of the way."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    for limit in ("LOGIN_RATE_LIMIT", "ACCOUNT_RATE_LIMIT", "RESET_RATE_LIMIT", "WRITE_RATE_LIMIT"):
        monkeypatch.setitem(app.config, limit, "100000 per minute")
    db_session.add(User(email="root@example.com", password=password, is_admin=True, verified=True))
    db_session.commit()
    login = {"email": "root@example.com", "password": password}
    assert client.post("/auth/login", data=login).status_code == 302
    created = client.post("/notes/new", data={"title": "a note to edit"})
    client.record_id = created.headers["Location"].rpartition("/")[2]
    return client


def url_for_rule(rule, record_id: str, parameter=lambda name: None) -> str:
    """The rule's path with its parameters filled in: an existing record's
    id for numbers, a word for text, unless `parameter` gives a value."""

    def fill(match: re.Match) -> str:
        converter, name = match.groups()
        given = parameter(name)
        if given is not None:
            return given
        return record_id if converter == "int" else "some-token"

    path = RULE_PARAMETER.sub(fill, rule.rule)
    if rule.endpoint.rpartition(".")[2] in RECORD_IN_QUERY:
        path += f"?id={record_id}"
    return path


@pytest.mark.parametrize("rule", FORMS, ids=lambda rule: f"{rule.endpoint} {rule.rule}")
@fuzz_forms
@given(data=st.data())
def test_no_form_input_is_a_server_error(admin_client, rule, data):
    path = url_for_rule(rule, admin_client.record_id)
    names = set(EXTRA_FIELDS)
    if "GET" in rule.methods:
        names |= set(FIELD.findall(admin_client.get(path).get_data(as_text=True)))
    names.discard("csrf_token")
    fields = {name: data.draw(values, label=name) for name in sorted(names)}
    body = urlencode({name: as_bytes(value) for name, value in fields.items()})
    response = admin_client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (path, fields)


@pytest.mark.parametrize("rule", ROUTES, ids=lambda rule: f"{rule.endpoint} {rule.rule}")
@fuzz_routes
@given(data=st.data())
def test_no_route_parameter_is_a_server_error(admin_client, rule, data):
    drawn = {
        name: quote(as_bytes(data.draw(values, label=name)), safe="") for name in rule.arguments
    }
    path = url_for_rule(rule, admin_client.record_id, drawn.get)
    query = {name: as_bytes(data.draw(values, label=name)) for name in QUERY_PARAMETERS}
    separator = "&" if "?" in path else "?"
    response = admin_client.get(path + separator + urlencode(query))
    assert response.status_code < 500, (path, query)


def as_bytes(value: str | bytes) -> bytes:
    # Lone surrogates cannot be encoded; a client would send their bytes.
    return value if isinstance(value, bytes) else value.encode(errors="surrogatepass")
