"""The API's blueprint class: flask-smorest's, with a stricter JSON reader
and a cheaper X-Pagination header."""

import flask_smorest
from webargs.flaskparser import FlaskParser


class JsonBodyParser(FlaskParser):
    """webargs' parser, answering 400 to JSON that Python cannot read.

    Nesting deeper than the recursion limit and integers longer than Python
    converts (4300 digits) raise RecursionError and ValueError, which webargs
    does not catch: they would be 500s.
    """

    def load_json(self, req, schema):
        try:
            return super().load_json(req, schema)
        except (RecursionError, ValueError) as error:
            return self._handle_invalid_json_error(error, req)


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        """flask-smorest's X-Pagination numbers, without its metadata
        schema: a schema made and dumped each request to copy six numbers.
        (flask-smorest's documented way to change the metadata.)"""
        metadata = {"total": item_count, "total_pages": -(-item_count // page_size)}
        if item_count:
            metadata.update(first_page=1, last_page=metadata["total_pages"])
            if page <= metadata["last_page"]:
                metadata["page"] = page
                if page > 1:
                    metadata["previous_page"] = page - 1
                if page < metadata["last_page"]:
                    metadata["next_page"] = page + 1
        return metadata
