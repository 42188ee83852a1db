"""The files made from the settings' declarations: .env.example, the table in
docs/configuration.md and app.json's env. `flask settings write` rewrites
them; a test fails while they disagree with the code.
"""

import importlib
import json
import textwrap
from pathlib import Path
from types import ModuleType

import click
from flask import current_app
from flask.cli import AppGroup

from . import settings, web_server
from .environment import Setting

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENV_EXAMPLE_HEADER = """\
# Every setting the service reads, with its meaning. `flask settings write`
# writes this file from the settings' declarations in the code; the template
# copied it to .env with a fresh SECRET_KEY, and .env stays out of git.
#
# python-dotenv (the flask command), honcho, `heroku local` and autoenv all
# read .env: keep to KEY='value' lines and # comments, without `export`.
"""
TABLE_START = "<!-- settings: `flask settings write` writes this table -->"
TABLE_END = "<!-- /settings -->"

settings_group = AppGroup(
    "settings", help="The settings' declarations and the files made from them."
)


def declared(features: tuple[ModuleType, ...]) -> list[tuple[str, tuple[Setting, ...]]]:
    """(module name, its SETTINGS) for the platform and each feature that
    declares any, in the order the app reads them."""
    modules = (settings, web_server, *features)
    package = settings.__name__.split(".")[0] + "."
    return [
        (module.__name__.removeprefix(package), module.SETTINGS)
        for module in modules
        if getattr(module, "SETTINGS", ())
    ]


def app_features() -> tuple[ModuleType, ...]:
    return importlib.import_module(current_app.import_name).FEATURES


def env_example(sections) -> str:
    parts = [ENV_EXAMPLE_HEADER]
    for module, declarations in sections:
        parts.append(f"\n# --- {module} ---\n")
        for setting in declarations:
            comment = textwrap.fill(setting.help, 76, initial_indent="# ", subsequent_indent="# ")
            if setting.local is not None:
                line = f"{setting.name}='{setting.local}'"
            else:
                line = f"# {setting.name}='{setting.default or setting.example}'"
            parts.append(f"\n{comment}\n{line}\n")
    return "".join(parts)


def configuration_table(sections) -> str:
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for _module, declarations in sections:
        for setting in declarations:
            default = f"`{setting.default}`" if setting.default else "none"
            rows.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join([TABLE_START, *rows, TABLE_END])


def app_json_env(sections) -> dict:
    """app.json's env: what Heroku's deploy button sets or asks for."""
    env = {}
    for _module, declarations in sections:
        for setting in declarations:
            if not setting.on_heroku:
                continue
            entry = {"description": setting.help}
            if setting.secret:
                entry["generator"] = "secret"
            elif setting.heroku_value:
                entry["value"] = setting.heroku_value
            else:
                entry["required"] = False
            env[setting.name] = entry
    return env


def written_files(sections, project_dir: Path | None = None) -> dict[Path, str]:
    """Each file's text as the declarations make it."""
    project_dir = project_dir or PROJECT_DIR
    docs = project_dir / "docs" / "configuration.md"
    before, _, rest = docs.read_text().partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    app_json = json.loads((project_dir / "app.json").read_text())
    app_json["env"] = app_json_env(sections)
    return {
        project_dir / ".env.example": env_example(sections),
        docs: before + configuration_table(sections) + after,
        project_dir / "app.json": json.dumps(app_json, indent=2, ensure_ascii=False) + "\n",
    }


@settings_group.command("write")
def write_command():
    """Rewrite .env.example, docs/configuration.md's table and app.json's env
    from the settings' declarations."""
    for path, text in written_files(declared(app_features())).items():
        if path.read_text() != text:
            path.write_text(text)
            click.echo(f"wrote {path.name}")


def missing_in_production(config, sections) -> list[str]:
    """The settings production needs that are not set."""
    return [
        f"{setting.name} is not set: {setting.help}"
        for _module, declarations in sections
        for setting in declarations
        if setting.required_in_production and not config.get(setting.name)
    ]
