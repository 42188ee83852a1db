"""`flask scaffold`: a new resource in one command, written the way the notes
example is (the notes are what it writes for `Note title:str(200) body:text?`).

    flask scaffold Booking title:str starts_at:datetime seats:int notes:text? harbor:references

It checks everything first and writes nothing when anything is wrong.
"""

import importlib
import shutil
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..platform import settings_files
from .fields import TYPES
from .files import planned
from .project import Project
from .resource import ScaffoldError, read_resource


def init_app(app: Flask) -> None:
    app.cli.add_command(scaffold_command)


@click.command(
    "scaffold",
    epilog=f"Field types: {', '.join(TYPES)}. A ? after the type lets the field be left empty.",
)
@click.argument("name")
@click.argument("fields", nargs=-1)
@click.option("--plural", help="The name's plural, when adding an s does not make it (people).")
@click.option("--dry-run", is_flag=True, help="List the files it would write, and write none.")
@with_appcontext
def scaffold_command(name, fields, plural, dry_run):
    """Add a resource NAME (in the singular: Booking) with FIELDS (title:str
    seats:int): its model, migration, pages, admin, API and tests."""
    project = Project(current_app)
    resource = read_resource(name, fields, plural, project)
    files = planned(resource, project)
    existing = [path for path in files if path.exists()]
    if existing:
        raise ScaffoldError(f"{existing[0].relative_to(project.root)} exists already")
    init_path, init_source = project.with_feature(resource.plural)
    changed = [init_path]
    if dry_run:
        for path in files:
            click.echo(f"would write {path.relative_to(project.root)}")
        for path in changed:
            click.echo(f"would change {path.relative_to(project.root)}")
        if "ownership.py" in {path.name for path in files}:
            click.echo("and the files made from the settings (flask settings write), for its quota")
        return

    for path, text in files.items():
        if path.suffix == ".py":
            try:
                compile(text, str(path), "exec")
            except SyntaxError as error:
                raise ScaffoldError(
                    f"{resource.name}: the code written would not run ({error.msg} in "
                    f"{path.relative_to(project.root)}): please report it"
                ) from None
    originals = {path: path.read_text() for path in [init_path, *settings_files_of(project)]}
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        init_path.write_text(init_source)
        tidy([path for path in [*files, init_path] if path.suffix == ".py"], project.root)
        changed += write_settings_files(project, resource.plural)
    except BaseException:
        # Leave the project as it was: a resource half written would keep
        # the app, and so every flask command, from starting.
        undo(files, originals, project.root)
        raise
    for path in files:
        click.echo(f"wrote {path.relative_to(project.root)}")
    for path in changed:
        click.echo(f"changed {path.relative_to(project.root)}")
    click.echo(f"Next: flask db upgrade, then pytest tests/{resource.plural}")


def undo(files, originals, root) -> None:
    """Remove the files written, and the folders made for them; restore the
    files changed."""
    for path in files:
        path.unlink(missing_ok=True)
    for folder in sorted({parent for path in files for parent in path.parents}, reverse=True):
        inside = folder.is_relative_to(root) and folder != root and folder.is_dir()
        if inside and not any(item.name != "__pycache__" for item in folder.iterdir()):
            shutil.rmtree(folder)
    for path, text in originals.items():
        path.write_text(text)


def tidy(paths, root) -> None:
    """Sort the imports and format the files as the project's ruff does, when
    ruff is installed (a development dependency)."""
    for command in (["check", "--fix", "--quiet", "--select", "I,F401"], ["format", "--quiet"]):
        done = subprocess.run(  # noqa: S603  (our own files, ruff from this environment)
            [sys.executable, "-m", "ruff", *command, *map(str, paths)],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 and "No module named ruff" in done.stderr:
            click.echo("ruff is not installed: format the new files yourself", err=True)
            return
        if done.returncode != 0:
            click.echo(f"ruff {command[0]}: {done.stdout}{done.stderr}".strip(), err=True)


def settings_files_of(project) -> list:
    return list(settings_files.written_files([], project.root))


def write_settings_files(project, plural):
    """.env.example, docs/configuration.md and app.json, with the new
    resource's settings (its quota per account)."""
    importlib.invalidate_caches()
    feature = importlib.import_module(f"{project.package}.{plural}")
    features = (*settings_files.app_features(), feature)
    changed = []
    for path, text in settings_files.written_files(settings_files.declared(features)).items():
        if path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed
