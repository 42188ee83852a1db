"""Jinja filters for the template (cookiecutter's local extensions).

An answer such as a project name or description may hold any printable text:
quotes, backslashes, non-Latin letters, emoji. These filters write it into
Python and TOML source exactly as typed, in lines that ruff accepts.
"""

import json

from cookiecutter.utils import simple_filter

# The generated project's line length (its pyproject.toml says so too).
LINE_LENGTH = 100
# Widest string literal on one line of a wrapped assignment.
PIECE_WIDTH = 80


def quoted(text: str, quote: str = '"') -> str:
    """A string literal holding `text` as it is: only the backslash and the
    quote are escaped (the pre-generation hook refuses control characters).
    Double-quoted, it is a TOML basic string as well as a Python string."""
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


def python_string(text: str) -> str:
    """The literal ruff's formatter writes: double quotes, unless the text
    holds more double quotes than single ones."""
    return quoted(text, "'" if text.count('"') > text.count("'") else '"')


def width(text: str) -> int:
    """At least the width an editor or ruff gives `text`: wide letters
    (CJK, emoji) take two columns, so every non-ASCII character counts two."""
    return sum(1 if char.isascii() else 2 for char in text)


def pieces(text: str) -> list[str]:
    """`text` cut into pieces whose literals are no wider than PIECE_WIDTH,
    after a space where there is one; joined, the pieces are `text` again,
    character for character."""
    result = []
    while width(python_string(text)) > PIECE_WIDTH:
        cut = len(text)
        while width(python_string(text[:cut])) > PIECE_WIDTH:
            cut -= 1
        space = text.rfind(" ", 0, cut)
        if space > 0:
            cut = space + 1
        result.append(text[:cut])
        text = text[cut:]
    return [*result, text]


def assignment(text: str, name: str) -> str:
    """`NAME = "text"`, on one line when it fits, else joined from a list of
    short pieces (a layout ruff keeps as it is, whatever the text's length)."""
    line = f"{name} = {python_string(text)}"
    if width(line) <= LINE_LENGTH:
        return line
    items = "".join(f"        {python_string(piece)},\n" for piece in pieces(text))
    return f'{name} = "".join(\n    [\n{items}    ]\n)'


# The filters, as templates use them: {{ cookiecutter.description |
# python_assignment("SERVICE_DESCRIPTION") }}, {{ ... | toml_string }},
# {{ ... | json_string }}.


@simple_filter
def python_assignment(text: str, name: str) -> str:
    return assignment(text, name)


@simple_filter
def toml_string(text: str) -> str:
    return quoted(text)


@simple_filter
def json_string(text: str) -> str:
    """As Python's json module writes it with ensure_ascii=False, which the
    project's `flask settings write` uses for app.json: letters as typed."""
    return json.dumps(text, ensure_ascii=False)
