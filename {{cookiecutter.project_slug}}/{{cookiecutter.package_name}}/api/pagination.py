"""Pages of a list: `?page=` and `?page_size=` in, and two headers out.

`X-Pagination` gives the total and the neighbouring page numbers as JSON;
`Link` (RFC 8288) gives their URLs, as GitHub's API does, so a client can
follow `rel="next"` until there is none.
"""

import json

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from ..platform.database import db

MAX_PAGE_SIZE = 100

HEADERS = {
    "X-Pagination": {
        "description": "Pagination metadata, as JSON.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PageMetadata"}}},
    },
    "Link": {
        "description": 'URLs of the first, last, previous and next pages (rel="first" ...).',
        "schema": {"type": "string"},
    },
}


class PageArguments(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageMetadataSchema(Schema):
    total = fields.Integer(required=True)
    total_pages = fields.Integer(required=True)
    first_page = fields.Integer()
    last_page = fields.Integer()
    page = fields.Integer()
    previous_page = fields.Integer()
    next_page = fields.Integer()


def page_of(query: Select, page: int, page_size: int) -> tuple[list, dict[str, str]]:
    """One page of `query`'s rows (already in their order), and its headers."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    headers = {
        "X-Pagination": json.dumps(page_metadata(page, page_size, total)),
        "Link": page_links(page, page_size, total),
    }
    first_item = (page - 1) * page_size
    if first_item >= total:
        return [], headers  # past the end: no need to ask the database for an offset
    return db.session.scalars(query.offset(first_item).limit(page_size)).all(), headers


def page_metadata(page: int, page_size: int, total: int) -> dict:
    metadata = {"total": total, "total_pages": -(-total // page_size)}  # ceiling division
    if total:
        metadata.update(first_page=1, last_page=metadata["total_pages"])
        if page <= metadata["last_page"]:
            metadata["page"] = page
            if page > 1:
                metadata["previous_page"] = page - 1
            if page < metadata["last_page"]:
                metadata["next_page"] = page + 1
    return metadata


def page_links(page: int, page_size: int, total: int) -> str:
    last = max(1, -(-total // page_size))
    pages = {"first": 1, "last": last}
    if page > 1:
        pages["prev"] = min(page - 1, last)
    if page < last:
        pages["next"] = page + 1
    url = request.base_url
    return ", ".join(
        f'<{url}?page={number}&page_size={page_size}>; rel="{rel}"' for rel, number in pages.items()
    )
