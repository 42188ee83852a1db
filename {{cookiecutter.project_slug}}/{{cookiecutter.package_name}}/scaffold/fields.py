"""The field types `flask scaffold` knows, and what each becomes in the
model, the migration and the tests' example values. What each becomes in
a part of the project (a form field, an API field) is in that part's
templates, templates/<part>/fields.jinja."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldType:
    name: str
    python: str  # the model attribute's annotation
    column: str  # the SQLAlchemy type in the model, when the annotation does not say it all
    migration: str  # the type in the migration
    length: int | None = None  # text: the default length
    empty_when_optional: bool = False  # optional text is "" rather than null

    @property
    def limit_suffix(self) -> str:
        return "_LENGTH" if self.length else "_VALUE"


TYPES = {
    field_type.name: field_type
    for field_type in (
        FieldType("str", "str", "String({limit})", "sa.String(length={length})", 200, True),
        FieldType("text", "str", "String({limit})", "sa.String(length={length})", 20_000, True),
        FieldType("int", "int", "", "sa.Integer()"),
        FieldType("float", "float", "", "sa.Float()"),
        FieldType("decimal", "Decimal", "Numeric(12, 2)", "sa.Numeric(precision=12, scale=2)"),
        FieldType("bool", "bool", "", "sa.Boolean()"),
        FieldType("date", "date", "", "sa.Date()"),
        FieldType("datetime", "datetime", "DateTime(timezone=True)", "sa.DateTime(timezone=True)"),
        FieldType("email", "str", "String({limit})", "sa.String(length={length})", 254),
        FieldType("url", "str", "String({limit})", "sa.String(length={length})", 2048),
        FieldType("references", "int", "", "sa.Integer()"),
    )
}


def example(field, n: int) -> dict:
    """Example value `n` (1 or 2) of a field, as the tests write it: in
    Python (`python`, an expression), in a form (`form`, text, or None to
    leave it out) and in the API's JSON (`json`, an expression)."""
    name = field.type.name
    if name in ("str", "text"):
        text = repr(fitting(f"{field.label} {n}", field.length, n))
        return {"python": text, "form": text, "json": text}
    if name == "email":
        text = repr(f"{field.name.replace('_', '.')}{n}@example.com")
        return {"python": text, "form": text, "json": text}
    if name == "url":
        text = repr(f"https://example.com/{field.name}/{n}")
        return {"python": text, "form": text, "json": text}
    if name == "int":
        return {"python": str(n), "form": repr(str(n)), "json": str(n)}
    if name == "float":
        return {"python": f"{n}.5", "form": repr(f"{n}.5"), "json": f"{n}.5"}
    if name == "decimal":
        text = repr(f"{n}.25")
        return {"python": f"Decimal({text})", "form": text, "json": text}
    if name == "bool":
        yes = n == 1
        return {"python": str(yes), "form": repr("y") if yes else None, "json": str(yes)}
    if name == "date":
        day = f"2026-12-0{6 + n}"
        return {"python": f"date(2026, 12, {6 + n})", "form": repr(day), "json": repr(day)}
    if name == "datetime":
        hour = 8 + n
        return {
            "python": f"datetime(2026, 12, 7, {hour}, 30, tzinfo=UTC)",
            "form": repr(f"2026-12-07T{hour:02}:30"),
            "json": repr(f"2026-12-07T{hour:02}:30:00+00:00"),
        }
    raise ValueError(f"no example for {name}")  # references: the tests make the record


def fitting(text: str, length: int, n: int) -> str:
    """`text`, or when it is longer than `length`, example n's digit repeated."""
    return text if len(text) <= length else str(n) * length


def number(value: int) -> str:
    return f"{value:_}" if value >= 10_000 else str(value)


def model_column(field) -> str:
    """The field's line in the model."""
    kind, name = field.type.name, field.column
    if field.target:
        on_delete = "SET NULL" if field.optional else "CASCADE"
        annotation = "int | None" if field.optional else "int"
        return (
            f"{name}: Mapped[{annotation}] = mapped_column("
            f'ForeignKey("{field.target.table}.id", ondelete="{on_delete}"), index=True)'
        )
    annotation = f"{field.type.python} | None" if field.nullable else field.type.python
    arguments = []
    if field.type.column:
        arguments.append(field.type.column.format(limit=field.limit))
    if field.optional and field.type.empty_when_optional:
        arguments.append('default=""')
    if kind == "bool":
        arguments += ["default=False", "server_default=false()"]
    if not arguments:
        return f"{name}: Mapped[{annotation}]"
    return f"{name}: Mapped[{annotation}] = mapped_column({', '.join(arguments)})"


def migration_column(field) -> str:
    column_type = field.type.migration.format(length=field.length)
    default = "server_default=sa.false(), " if field.type.name == "bool" else ""
    return f'sa.Column("{field.column}", {column_type}, {default}nullable={field.nullable})'
