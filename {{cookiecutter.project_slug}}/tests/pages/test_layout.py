"""The layout every page shares: what lets everyone read it (the browser
test runs axe-core on the pages; these are the quick checks)."""

import re


def test_everything_is_inside_a_landmark(client, make_user, log_in):
    make_user()
    log_in()
    page = client.get("/notes/").get_data(as_text=True)  # with the login's message
    body = page[page.index("<body>") + len("<body>") : page.index("</body>")]
    outside = re.sub(r"<header>.*?</header>|<main>.*?</main>", "", body, flags=re.S)
    assert outside.strip() == ""
    assert "You are logged in." in page[page.index("<main>") :]
    assert '<html lang="en">' in page
    assert page.count("<h1>") == 1


def test_the_account_is_a_link_to_its_page(client, make_user, log_in):
    make_user()
    log_in()
    page = client.get("/notes/").get_data(as_text=True)
    assert re.search(r'<a class="account" href="/account/"[^>]*>ada@example.com</a>', page)
