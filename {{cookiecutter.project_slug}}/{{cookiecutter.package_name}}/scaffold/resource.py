"""What `flask scaffold` is asked for: a resource's name and its fields,
read from the command line and checked before anything is written."""

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import click

from .fields import TYPES, FieldType

NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
FIELD = re.compile(r"(?P<name>[^:]*):(?P<type>[a-z]+)(?:\((?P<length>[0-9]+)\))?(?P<optional>\?)?")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Identifiers in Postgres are at most 63 bytes; longer ones are cut, and the
# constraint names made from table and column names must fit.
MAX_IDENTIFIER = 63
MAX_NAME = 30
MAX_TABLE = 40  # the table's name, leaving room for its constraints' names
MAX_LENGTH = 100_000


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words Postgres reserves (SQL:2016's reserved words that Postgres keeps):
# a table or column so named needs quoting in every hand-written query.
SQL_RESERVED = words(
    "all analyse analyze and any array as asc asymmetric both case cast check collate "
    "column constraint create current_catalog current_date current_role current_time "
    "current_timestamp default deferrable desc distinct do else end except "
    "false fetch for foreign from grant group having in initially intersect into lateral "
    "leading limit localtime localtimestamp not null offset on only or order placing "
    "primary references returning select session_user some symmetric system_user table "
    "then to trailing true union unique user using variadic when where window with"
)
# Attributes every model, form or schema has already: a field of that name
# would hide them. The columns every resource has. And the types the model
# names in its annotations, which a field of that name would hide from the
# fields after it.
COLUMNS = words("id owner owner_id created_at updated_at")
TAKEN_FIELDS = words(
    "metadata registry query query_class "
    "csrf_token submit data errors meta process populate_obj validate fields load dump "
    "opts context many partial unknown str int float bool date datetime false func "
    "mapped_column relationship finite id_or_none none_if_empty no_lone_surrogates "
    "url next"
)
# The classes the written modules and tests import: a resource whose class,
# form, schema or admin view had one of these names would shadow it.
TAKEN_CLASSES = words(
    "ApiBlueprint ClassVar DatabaseView DateTime Decimal ErrorSchema Flask ForeignKey Form "
    "InputSchema Mapped Numeric PageArguments Schema Setting String TextAreaField UTC User "
    "UtcDateTime UtcDateTimeField Blueprint"
)
# Folders and modules a project has, URLs it answers, and names the
# written code and tests use for themselves (the project's fixtures are
# read from its tests/conftest.py).
TAKEN_WORDS = words(
    "account accounts api auth docs health healthz id ids mail migrations pages platform "
    "scaffold settings static templates test tests worker"
)
# Names the written code uses for its own things, each part's listed beside
# its templates: a record takes another name there when its own is one.
CODE_NAMES = frozenset(
    word
    for path in (Path(__file__).parent / "templates").glob("*/names.txt")
    for line in path.read_text().splitlines()
    if not line.startswith("#")
    for word in line.split()
)


class ScaffoldError(click.ClickException):
    """Bad input: one line saying what is wrong, exit status 1, nothing written."""


@dataclass(frozen=True)
class Target:
    """The resource a `references` field points at."""

    name: str  # its class: Harbor
    module: str  # the package holding it, relative to the app's: harbors
    singular: str  # harbor
    table: str  # harbors


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    length: int | None
    optional: bool
    spec: str  # as the command line gave it
    target: Target | None = None

    @property
    def column(self) -> str:
        """The column's name: a reference stores the other record's id."""
        return f"{self.name}_id" if self.target else self.name

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def limit(self) -> str:
        """The constant holding the field's limit, in the model's module."""
        return f"MAX_{self.name.upper()}{self.type.limit_suffix}"

    @property
    def nullable(self) -> bool:
        """Optional text is empty, not null; any other optional field is null."""
        return self.optional and not self.type.empty_when_optional

    @property
    def required(self) -> bool:
        return not self.optional and self.type.name != "bool"


@dataclass(frozen=True)
class Resource:
    name: str  # the model's class: Booking
    singular: str  # booking
    plural: str  # bookings: the package, the table, the blueprint
    fields: tuple[Field, ...]

    @property
    def words(self) -> str:
        """The plural as text: harbor slips."""
        return self.plural.replace("_", " ")

    @property
    def word(self) -> str:
        return self.singular.replace("_", " ")

    @property
    def url(self) -> str:
        return self.plural.replace("_", "-")

    @property
    def var(self) -> str:
        """A record's name in the written code: the singular, unless the code
        uses that name for something else."""
        return f"the_{self.singular}" if self.singular in CODE_NAMES else self.singular

    @property
    def vars(self) -> str:
        return f"the_{self.plural}" if self.plural in CODE_NAMES else self.plural

    @property
    def id(self) -> str:
        return f"{self.singular}_id"

    @property
    def title(self) -> Field | None:
        """The field that names a record in lists: the first str field."""
        return next((field for field in self.fields if field.type.name == "str"), None)

    @property
    def references(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.target)

    @property
    def command(self) -> str:
        return " ".join(["flask scaffold", self.name, *(field.spec for field in self.fields)])


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


def pluralize(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def read_resource(name: str, specs: tuple[str, ...], plural: str | None, project) -> Resource:
    """The resource the command line describes, or a ScaffoldError saying
    what is wrong with it. `project` knows what the project has already."""
    if not NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"{name!r} is not a resource name: a capital letter first, then letters and "
            f"digits, {MAX_NAME} at most, in the singular (Booking, HarborSlip)"
        )
    singular = snake_case(name)
    plural = plural or pluralize(singular)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", plural):
        raise ScaffoldError(
            f"--plural {plural!r}: a lowercase letter, then lowercase letters, digits and _"
        )
    if len(plural) > MAX_TABLE:
        raise ScaffoldError(
            f"{name}: its table {plural!r} is longer than {MAX_TABLE} characters; "
            "choose a shorter name"
        )
    for word in (singular, plural):
        refuse_reserved(word, name)
        if word in TAKEN_WORDS:
            raise ScaffoldError(f"{name}: {word!r} is taken by the project; choose another name")
    if name in TAKEN_CLASSES or any(
        f"{name}{suffix}" in TAKEN_CLASSES for suffix in ("Form", "InSchema", "Schema", "View")
    ):
        raise ScaffoldError(f"{name}: the code already uses that name; choose another")
    problem = project.name_taken(name, singular, plural)
    if problem:
        raise ScaffoldError(f"{name}: {problem}")
    fields = []
    for spec in specs:
        field = read_field(spec, project, plural)
        taken = {existing.column for existing in fields} | {existing.name for existing in fields}
        if field.name in taken or field.column in taken:
            raise ScaffoldError(f"{spec}: the field {field.name!r} is given twice")
        fields.append(field)
    if not fields:
        raise ScaffoldError(f"{name}: give at least one field, such as title:str")
    return Resource(name, singular, plural, tuple(fields))


def refuse_reserved(word: str, where: str) -> None:
    """A name Python or SQL reserves, refused: `where` is what the command
    line gave (the resource's name, or the field)."""
    if keyword.iskeyword(word) or keyword.issoftkeyword(word):
        raise ScaffoldError(f"{where}: {word!r} is a Python keyword; choose another name")
    if word in SQL_RESERVED:
        raise ScaffoldError(f"{where}: {word!r} is a word SQL reserves; choose another name")


def read_field(spec: str, project, table: str) -> Field:
    match = FIELD.fullmatch(spec)
    if not match:
        raise ScaffoldError(
            f"{spec!r} is not a field: write name:type, name:type? when it may be left "
            "empty, and str(80) for a length"
        )
    name, type_name = match["name"], match["type"]
    if not FIELD_NAME.fullmatch(name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"{spec}: {name!r} is not a field name: a lowercase letter first, then lowercase "
            f"letters, digits and _, {MAX_NAME} at most"
        )
    refuse_reserved(name, spec)
    if name in COLUMNS:
        raise ScaffoldError(f"{spec}: every resource has its own {name!r}; choose another name")
    if name in TAKEN_FIELDS:
        raise ScaffoldError(f"{spec}: the written code uses {name!r} itself; choose another name")
    if type_name not in TYPES:
        raise ScaffoldError(f"{spec}: no type {type_name!r}; the types are {', '.join(TYPES)}")
    field_type = TYPES[type_name]
    optional = match["optional"] is not None
    if optional and type_name == "bool":
        raise ScaffoldError(f"{spec}: a bool is always true or false; drop the ?")
    length = match["length"]
    if length is not None and type_name not in ("str", "text"):
        raise ScaffoldError(f"{spec}: only str and text take a length")
    if length is not None and not 1 <= int(length) <= MAX_LENGTH:
        raise ScaffoldError(f"{spec}: the length is from 1 to {MAX_LENGTH:,}")
    target = None
    if type_name == "references":
        target = project.resource_named(name)
        if target is None:
            resource = "".join(word.capitalize() for word in name.split("_"))
            raise ScaffoldError(
                f"{spec}: there is no resource {resource} to reference; scaffold it first"
            )
        if len(f"fk_{table}_{name}_id_{target.table}") > MAX_IDENTIFIER:
            raise ScaffoldError(f"{spec}: the names are too long for the database's constraints")
    length = int(length) if length else field_type.length
    return Field(name, field_type, length, optional, spec, target)
