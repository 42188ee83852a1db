"""Finish the generated project: prune what was not chosen, write a private
.env, and point to the README's first steps.

Every render is finished the same way, `cruft update`'s scratch copies too:
their .env is thrown away with them (cruft skips .env, so a project's own is
never touched), and the closing line is true of any render."""

import json
import secrets
import shutil
from pathlib import Path

# All the answers, and the template's table of parts (`_parts` in
# cookiecutter.json), as JSON in a raw string (see pre_gen_project.py).
ANSWERS = r"""{{ cookiecutter | tojson }}"""


def wanted(rule, answers):
    """Whether a part's `when` rule (cookiecutter.json's `_parts`) holds for
    these answers: one option's name, {"any": [...]} or {"all": [...]} of
    several; no rule (None) for a part in every render."""
    if rule is None:
        return True
    if isinstance(rule, str):
        return bool(answers[rule])
    if "any" in rule:
        return any(answers[option] for option in rule["any"])
    return all(answers[option] for option in rule["all"])


def chosen_parts(answers):
    """{part: whether the answers choose it}, in `_parts`' order. The
    templated files ask templates/parts.jinja, which reads the same rules
    (a template test compares the two)."""
    return {name: wanted(part.get("when"), answers) for name, part in answers["_parts"].items()}


def unchosen_paths(answers, package):
    """The paths, relative to the project, of the parts left out. This is
    the one way a part is left out: no file carries a conditional name."""
    chosen = chosen_parts(answers)
    return [
        path.format(package=package)
        for name, part in answers["_parts"].items()
        if not chosen[name]
        for path in part.get("paths", ())
    ]


def prune(project_dir, paths):
    for relative in paths:
        path = project_dir / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def env_from_example(example, secret_key):
    """The .env text: .env.example with SECRET_KEY set to the given value."""
    lines = []
    for line in example.splitlines():
        if line.startswith("SECRET_KEY="):
            line = f"SECRET_KEY='{secret_key}'"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_env(project_dir):
    example = (project_dir / ".env.example").read_text()
    env_file = project_dir / ".env"
    env_file.write_text(env_from_example(example, secrets.token_urlsafe(48)))
    env_file.chmod(0o600)


# uv.lock's entries follow one another by package name. The stored locks
# were made for "my-service", so a render's own entry sits where that name
# sorts; put where uv puts it, the project's first `uv lock` moves nothing.
LOCK_ENTRY = "\n\n[[package]]\n"


def in_lock_order(lock_text, slug):
    """The lock with the project's own entry among the others by name."""
    header, *packages = lock_text.rstrip("\n").split(LOCK_ENTRY)
    [own] = [entry for entry in packages if entry.startswith(f'name = "{slug}"\n')]
    packages.remove(own)
    later = [entry for entry in packages if entry.split('"', 2)[1] > slug]
    packages.insert(packages.index(later[0]) if later else len(packages), own)
    return LOCK_ENTRY.join([header, *packages]) + "\n"


def order_lock(project_dir, slug):
    lock = project_dir / "uv.lock"
    lock.write_text(in_lock_order(lock.read_text(), slug))


# The README's sections that run the project, then deploy it. The steps live
# there, with the answers filled in, where they can be read again later.
README_SECTIONS = ("Run it locally", "Deploy to Heroku")


def next_steps(slug):
    """The closing line: where the next steps are. It does not say the
    project is new, as a cruft update renders scratch copies too."""
    run, deploy = README_SECTIONS
    return f'\nNext steps for {slug}: its README.md, "{run}" then "{deploy}".\n'


def main():
    answers = json.loads(ANSWERS)
    prune(Path.cwd(), unchosen_paths(answers, answers["package_name"]))
    write_env(Path.cwd())
    order_lock(Path.cwd(), answers["project_slug"])
    print(next_steps(answers["project_slug"]))


if __name__ == "__main__":
    main()
