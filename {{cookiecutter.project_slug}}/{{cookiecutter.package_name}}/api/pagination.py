"""Links between the pages of a list, in the `Link` header (RFC 8288).

flask-smorest's X-Pagination header gives the page numbers; `Link` gives
ready URLs, as GitHub's API does, so a client can follow `rel="next"`
until there is none.
"""

from flask import request
from flask_smorest.pagination import PaginationParameters

LINK_HEADER = {
    "Link": {
        "description": 'URLs of the first, last, previous and next pages (rel="first" ...).',
        "schema": {"type": "string"},
    }
}


def page_links(pagination: PaginationParameters) -> dict[str, str]:
    """The Link header for this page of `pagination.item_count` items."""
    size = pagination.page_size
    last = max(1, -(-pagination.item_count // size))  # ceiling division
    pages = {"first": 1, "last": last}
    if pagination.page > 1:
        pages["prev"] = min(pagination.page - 1, last)
    if pagination.page < last:
        pages["next"] = pagination.page + 1
    # This URL with other page numbers; cheaper than url_for four times.
    url = request.base_url
    links = (f'<{url}?page={page}&page_size={size}>; rel="{rel}"' for rel, page in pages.items())
    return {"Link": ", ".join(links)}
