"""Write the template's .env.example and the settings table of
docs/configuration.md from the settings' declarations: `make settings`.

The generated project writes both itself (`flask settings write`), from the
`Setting`s declared in its code. The template ships them already written,
for every combination of options, so this renders the project with every
option on, runs that command in it, and turns each module's settings back
into a Jinja block kept only in renders whose part has the module that
declares them (the part whose `paths` in cookiecutter.json hold it: a
feature package may list a part's module's settings as its own). Each
render's own suite then checks that its files are what its declarations
make.
"""

import json
import re
import subprocess
import tempfile
from pathlib import Path

from harness import VARIANTS, project_venv, render, venv_env

TEMPLATE_DIR = Path(__file__).resolve().parent
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
PARTS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["_parts"]
# The all-options render: my_service, my-service.
PACKAGE, SLUG = "my_service", "my-service"
SECTION = re.compile(r"^# --- (?P<module>[\w.]+) ---\n", re.MULTILINE)
TABLE_START = "<!-- settings: `flask settings write` writes this table -->"
TABLE_END = "<!-- /settings -->"


def part_of(module: str) -> str | None:
    """The part whose paths hold `module` (a dotted name in the package), or
    None for the core: every render has it. The closest path wins: a file
    listed by one part inside a folder another part lists is the first's."""
    path = module.replace(".", "/")
    holders = []
    for name, part in PARTS.items():
        for owned in part.get("paths", ()):
            owned = owned.format(package="").strip("/")
            if path == owned.removesuffix(".py") or path.startswith(owned + "/"):
                holders.append((len(owned), name))
    return max(holders)[1] if holders else None


def templated(text: str) -> str:
    """The render's own names put back as the template's placeholders."""
    return text.replace(PACKAGE, "{{ cookiecutter.package_name }}").replace(
        SLUG, "{{ cookiecutter.project_slug }}"
    )


def env_example_template(text: str, declaring: dict[str, str]) -> str:
    """Each section starts with the blank line before its heading, so that a
    block left out takes its own blank line with it. `declaring` names the
    module that declares each section's settings."""
    header, *sections = SECTION.split(text)
    blocks = ['{%- from "parts.jinja" import parts with context -%}\n', templated(header[:-1])]
    for module, body in zip(sections[::2], sections[1::2], strict=True):
        body = body.removesuffix("\n") if body.endswith("\n\n") else body
        block = f"\n# --- {module} ---\n{templated(body)}"
        part = part_of(declaring[module])
        blocks.append(block if part is None else f"{{% if parts.{part} %}}{block}{{% endif %}}")
    return "".join(blocks)


def table_template(rows_by_module: list[tuple[str, str, list[str]]]) -> str:
    lines = [TABLE_START, "| variable | default | meaning |", "| --- | --- | --- |"]
    for _module, declaring, rows in rows_by_module:
        part = part_of(declaring)
        if part is not None:
            lines.append(f"{{%- if parts.{part} %}}")
        lines += [templated(row) for row in rows]
        if part is not None:
            lines.append("{%- endif %}")
    lines.append(TABLE_END)
    return "\n".join(lines)


def main():
    with tempfile.TemporaryDirectory() as scratch:
        project = render(Path(scratch), **VARIANTS["default"])
        venv = project_venv(project)
        env = venv_env(venv, APP_ENV="test", FLASK_SKIP_DOTENV="1")
        subprocess.run(["flask", "settings", "write"], cwd=project, env=env, check=True)
        env_example = (project / ".env.example").read_text()
        rows = subprocess.run(
            ["python", "-c", ROWS_BY_MODULE],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    rows = json.loads(rows)
    declaring = {module: declaring for module, declaring, _rows in rows}
    (PROJECT_TEMPLATE / ".env.example").write_text(env_example_template(env_example, declaring))
    docs = PROJECT_TEMPLATE / "docs" / "configuration.md"
    before, _, rest = docs.read_text().partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    table = table_template(rows)
    docs.write_text(before + table + after)
    print(f"wrote {docs.relative_to(TEMPLATE_DIR)} and .env.example")


# Run inside the render: for each section (a feature module's SETTINGS), the
# module that declares the first of them (the one binding its name to it,
# deepest first: worker lists worker.settings') and the table's rows.
ROWS_BY_MODULE = """
import json, sys
from wsgi import app
from my_service import FEATURES
from my_service.platform.settings_files import configuration_table, declared
with app.app_context():
    sections = declared(FEATURES)
def declaring(settings):
    first = settings[0]
    names = [name for name, module in list(sys.modules.items())
             if name.startswith("my_service.") and vars(module).get(first.name) is first]
    return max(names, key=len).removeprefix("my_service.")
print(json.dumps([
    (module, declaring(settings), configuration_table([(module, settings)]).splitlines()[3:-1])
    for module, settings in sections
]))
"""


if __name__ == "__main__":
    main()
