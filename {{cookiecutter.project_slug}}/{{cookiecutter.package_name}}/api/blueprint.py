"""The API's blueprint class: flask-smorest's, with a stricter JSON reader."""

import flask_smorest
from webargs.flaskparser import FlaskParser, abort


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
            # webargs' own answer to a body that is not JSON at all.
            abort(400, exc=error, messages={"json": ["Invalid JSON body."]})


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()
