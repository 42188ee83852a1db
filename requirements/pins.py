"""Resolve the direct dependencies in requirements/*.in into hashed pins.

Each part of a render has its file: core.in, then <part>.in for each part
the answers choose (the post-generation hook's chosen_features says which),
and test.in and test-<part>.in for the tests. `make pins` runs this. For
each combination of the template's options it writes
templates/pins/<options>.txt (what the generated requirements.txt includes)
and <options>-test.txt (what requirements-test.txt adds on top).
Every pin carries the hashes of all files of its release, so one lock serves
each Python the template offers, on Heroku's Linux and on a developer's Mac.

Pins already in the output files are kept while they still fit; UPGRADE=1
moves every transitive dependency to its newest release.
"""

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
SOURCES = TEMPLATE_DIR / "requirements"
PINS = TEMPLATE_DIR / "templates" / "pins"
OPTIONS = ("celery", "web_ui", "api")  # cookiecutter.json's use_<option>
# The oldest Python the locks must install on: the generated code runs on
# 3.11 too (locally, and `make demo` on this machine's python3), besides the
# versions offered for Heroku (hooks/pre_gen_project.py).
OLDEST_PYTHON = "3.11"
REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def lock_name(chosen):
    """The lock's file name stem for a set of chosen options, as the
    generated requirements.txt computes it."""
    return "-".join(option for option in OPTIONS if option in chosen) or "bare"


def every_combination():
    for flags in itertools.product((True, False), repeat=len(OPTIONS)):
        yield {option for option, chosen in zip(OPTIONS, flags, strict=True) if chosen}


def chosen_parts(chosen):
    """The parts a render with these options has, by the hook's own rule."""
    hook = TEMPLATE_DIR / "hooks" / "post_gen_project.py"
    spec = importlib.util.spec_from_file_location("post_gen_project", hook)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # An option outside OPTIONS has no requirements of its own, and so no
    # lock of its own: it keeps its default here.
    questions = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    answers = {key: value for key, value in questions.items() if key.startswith("use_")}
    answers.update({f"use_{option}": option in chosen for option in OPTIONS})
    return [part for part, wanted in module.chosen_features(answers).items() if wanted]


def sources(kind, chosen):
    """The .in files of a lock: the core (or test) file plus one per chosen part."""
    base = "core" if kind == "runtime" else "test"
    prefix = "" if kind == "runtime" else "test-"
    files = [SOURCES / f"{base}.in"]
    files += [SOURCES / f"{prefix}{part}.in" for part in chosen_parts(chosen)]
    return [path for path in files if path.exists()]


def requirement_blocks(text):
    """Split pip-compile style output into {normalized name: [its blocks]};
    a block is a requirement line with its indented hash lines."""
    blocks = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line[0].isspace():
            current.append(line)
            continue
        current = [line]
        name = normalize(REQUIREMENT_NAME.match(line).group(0))
        blocks.setdefault(name, []).append(current)
    return blocks


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_pins(paths):
    """{name: the line} of each requirement in the given .in files."""
    pins = {}
    for path in paths:
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                pins.setdefault(normalize(REQUIREMENT_NAME.match(line).group(0)), set()).add(line)
    return pins


def disagreements(pins):
    """Lines naming one package with different pins in two files."""
    return sorted(
        f"{name}: {' / '.join(sorted(lines))}" for name, lines in pins.items() if len(lines) > 1
    )


def render_blocks(blocks):
    return "".join("\n".join(lines) + "\n" for group in blocks.values() for lines in group)


def compile_lock(inputs, output, oldest_python, constraint=None):
    command = [
        sys.executable, "-m", "uv", "pip", "compile", "--quiet",
        "--universal", "--python-version", oldest_python,
        "--generate-hashes", "--no-header", "--no-annotate",
        "--output-file", str(output), *map(str, inputs),
    ]
    if constraint:
        command += ["--constraint", str(constraint)]
    if os.environ.get("UPGRADE") == "1":
        command.append("--upgrade")
    subprocess.run(command, check=True)
    return output.read_text()


def main():
    every_source = sorted(SOURCES.glob("*.in"))
    problems = disagreements(direct_pins(every_source))
    if problems:
        sys.exit("error: one package, two pins in requirements/*.in: " + "; ".join(problems))
    python = OLDEST_PYTHON
    PINS.mkdir(parents=True, exist_ok=True)
    for chosen in every_combination():
        name = lock_name(chosen)
        runtime = PINS / f"{name}.txt"
        runtime_pins = requirement_blocks(
            compile_lock(sources("runtime", chosen), runtime, python)
        )
        # The test extras, resolved together with the runtime pins they sit on,
        # minus those: requirements-test.txt reads requirements.txt first.
        test = PINS / f"{name}-test.txt"
        with tempfile.TemporaryDirectory() as scratch:
            everything = Path(scratch) / "everything.txt"
            if test.exists():  # the pins to keep
                everything.write_text(render_blocks(runtime_pins) + test.read_text())
            text = compile_lock(
                sources("runtime", chosen) + sources("test", chosen),
                everything,
                python,
                constraint=runtime,
            )
        extras = {
            key: group for key, group in requirement_blocks(text).items()
            if key not in runtime_pins
        }
        test.write_text(render_blocks(extras))
        print(f"{name}: {len(runtime_pins)} runtime pins, {len(extras)} more for tests")


if __name__ == "__main__":
    main()
