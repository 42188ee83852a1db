"""The pre- and post-generation hooks' pure functions."""

import jinja2
import pytest

from harness import OPTIONS, QUESTIONS, TEMPLATE_DIR, VARIANTS, load_hook

pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

GOOD_ANSWERS = {
    "project_name": "My Service",
    "project_slug": "my-service",
    "package_name": "my_service",
    "description": "A service.",
    "author_email": "you@example.com",
    "python_version": "3.13",
}


@pytest.mark.parametrize("slug", ["a", "my-service", "svc2", "a" * 30, "x-1-y"])
def test_heroku_app_names_are_accepted(slug):
    assert pre_gen.check_project_slug(slug) is None


@pytest.mark.parametrize(
    "slug", ["", "My-Service", "2fast", "-svc", "svc-", "my_service", "a" * 31, "my service", "é"]
)
def test_other_slugs_are_refused_naming_the_rule(slug):
    error = pre_gen.check_project_slug(slug)
    assert error.startswith("project_slug: ")
    assert repr(slug) in error
    assert "30 characters at most" in error


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("2048-game", "app-2048-game"),
        ("My Service", "my-service"),
        ("svc-", "svc"),
        ("", "my-service"),
        ("s" * 31, "s" * 30),
        ("9" * 30, "app-" + "9" * 26),
    ],
)
def test_a_refused_slug_comes_with_one_to_type_instead(slug, suggestion):
    assert pre_gen.suggest_slug(slug) == suggestion
    assert pre_gen.check_project_slug(suggestion) is None
    assert pre_gen.check_project_slug(slug).endswith(f"type one such as {suggestion!r}")


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("class", "class_app"), ("email", "email_app"), ("2svc", "app_2svc"), ("My-Svc", "my_svc")],
)
def test_a_refused_package_name_comes_with_one_to_type_instead(name, suggestion):
    assert pre_gen.suggest_package_name(name) == suggestion
    assert pre_gen.check_package_name(suggestion) is None
    assert pre_gen.check_package_name(name).endswith(f"type one such as {suggestion!r}")


@pytest.mark.parametrize("name", ["my_service", "svc", "_private", "notes2"])
def test_importable_package_names_are_accepted(name):
    assert pre_gen.check_package_name(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("my-service", "not importable"),
        ("2svc", "not importable"),
        ("MyService", "not importable"),
        ("class", "keyword"),
        ("email", "standard library"),
        ("logging", "standard library"),
        ("flask", "a module the project uses"),
        ("sqlalchemy", "a module the project uses"),
        ("webargs", "a module the project uses"),
        ("pydantic", "a module the project uses"),
        ("tests", "a module the project uses"),
    ],
)
def test_unusable_package_names_are_refused(name, reason):
    error = pre_gen.check_package_name(name)
    assert error.startswith("package_name: ")
    assert reason in error


def test_emails_are_checked():
    assert pre_gen.check_author_email("ada@example.com") is None
    assert "author_email" in pre_gen.check_author_email("ada.example.com")
    assert "author_email" in pre_gen.check_author_email("ada@localhost")


def test_only_offered_pythons_are_accepted():
    for version in ("3.12", "3.13", "3.14"):
        assert pre_gen.check_python_version(version) is None
    assert "3.12, 3.13, 3.14" in pre_gen.check_python_version("3.11")


def test_names_and_descriptions_are_one_line():
    assert pre_gen.check_project_name('Ada\'s "Notes" & more') is None
    assert "project_name" in pre_gen.check_project_name("   ")
    assert "project_name" in pre_gen.check_project_name("two\nlines")
    assert "description" in pre_gen.check_description("two\nlines")


def test_the_first_bad_answer_is_reported():
    assert pre_gen.first_error(GOOD_ANSWERS) is None
    answers = {**GOOD_ANSWERS, "package_name": "flask", "author_email": "nope"}
    assert pre_gen.first_error(answers).startswith("package_name: ")


def test_env_gets_a_fresh_secret_and_keeps_the_rest():
    example = "# comment\nAPP_ENV='development'\nSECRET_KEY='change-me'\nLOG_LEVEL='INFO'\n"
    env = post_gen.env_from_example(example, "s3cr3t")
    assert env == "# comment\nAPP_ENV='development'\nSECRET_KEY='s3cr3t'\nLOG_LEVEL='INFO'\n"


# The answers as the hooks get them: every question's, and `_parts`.
ALL_CHOSEN = {**QUESTIONS, **dict.fromkeys(OPTIONS, True)}
NONE_CHOSEN = {**QUESTIONS, **dict.fromkeys(OPTIONS, False)}


def test_the_closing_line_points_to_the_readme_sections_that_hold_the_steps():
    line = post_gen.next_steps("my-service")
    assert line.strip() == (
        'Next steps for my-service: its README.md, "Run it locally" then "Deploy to Heroku".'
    )
    readme = (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "README.md").read_text()
    for section in post_gen.README_SECTIONS:
        assert f"\n## {section}\n" in readme
    # True of any render, cruft update's scratch copies too: nothing says "new".
    assert "ready" not in line


def test_chosen_options_keep_every_path():
    assert post_gen.unchosen_paths(ALL_CHOSEN, "svc") == []


def test_unchosen_options_name_their_paths_in_the_package():
    no_web_ui = post_gen.unchosen_paths({**ALL_CHOSEN, "use_web_ui": False}, "svc")
    assert {"svc/pages", "svc/admin", "svc/accounts/views.py", "svc/notes/views.py"} <= set(
        no_web_ui
    )
    assert {"svc/mail", "svc/mail/queue.py", "tests/admin", "tests/pages"} <= set(no_web_ui)
    assert "svc/accounts/limits.py" not in no_web_ui  # the API still needs it
    assert not any("{" in path for path in no_web_ui)
    assert post_gen.unchosen_paths({**ALL_CHOSEN, "use_api": False}, "svc") == [
        "svc/api",
        "svc/notes/api.py",
        "svc/notes/schemas.py",
        "svc/scaffold/templates/api",
        "migrations/versions/2026_12_07_0002_0003_create_api_tokens.py",
        "migrations/versions/2026_12_07_0006_770002b7dbce_add_api_tokens_name_and_last_used_at.py",
        "tests/api",
        "tests/notes/test_api.py",
        "docs/api.md",
        # The account page's tokens, which need the API too.
        "svc/api/token_pages.py",
        "svc/api/templates/api/tokens_section.html",
        "svc/api/templates/api/new_token.html",
        "svc/api/templates/api/token_made.html",
        "tests/api/test_token_pages.py",
        "tests/api/test_second_factor_tokens.py",
    ]


def test_the_bare_project_keeps_only_the_core():
    bare = set(post_gen.unchosen_paths(NONE_CHOSEN, "svc"))
    assert {"svc/accounts/limits.py", "svc/platform/redis_client.py", "svc/worker"} <= bare


@pytest.mark.parametrize("answers", VARIANTS.values(), ids=VARIANTS.keys())
def test_the_templated_files_and_the_hook_choose_the_same_parts(answers):
    # Files ask templates/parts.jinja which parts a render has; the hook
    # prunes by chosen_parts. Both read the rules of `_parts`: one answer
    # each, for every combination.
    answers = {**QUESTIONS, **answers}  # as cookiecutter fills them in
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR / "templates"), undefined=jinja2.StrictUndefined
    )
    module = environment.get_template("parts.jinja").make_module({"cookiecutter": answers})
    chosen = post_gen.chosen_parts(answers)
    assert module.parts == chosen
    assert list(chosen) == list(QUESTIONS["_parts"])
    assert {name for name in dir(module) if not name.startswith("_")} == {
        "parts", "dependencies", "dev_dependencies", "lock",
    }


@pytest.mark.parametrize(
    ("rule", "answers", "expected"),
    [
        (None, {}, True),
        ("use_api", {"use_api": True}, True),
        ("use_api", {"use_api": False}, False),
        ({"any": ["use_api", "use_web_ui"]}, {"use_api": False, "use_web_ui": True}, True),
        ({"any": ["use_api", "use_web_ui"]}, {"use_api": False, "use_web_ui": False}, False),
        ({"all": ["use_api", "use_web_ui"]}, {"use_api": True, "use_web_ui": False}, False),
        ({"all": ["use_api", "use_web_ui"]}, {"use_api": True, "use_web_ui": True}, True),
    ],
)
def test_a_parts_rule_names_an_option_or_several(rule, answers, expected):
    assert post_gen.wanted(rule, answers) is expected


def test_every_part_is_declared_in_known_terms():
    """A misspelt key, option or path would leave a part in every render."""
    project = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    for name, part in QUESTIONS["_parts"].items():
        assert set(part) <= {"about", "when", "paths", "dependencies", "dev"}, name
        rule = part.get("when")
        if isinstance(rule, dict):
            [(kind, options)] = rule.items()
            assert kind in ("any", "all"), name
        else:
            options = [rule] if rule else []
        assert set(options) <= set(OPTIONS), name
        for path in part.get("paths", ()):
            assert (project / path.format(package="{{cookiecutter.package_name}}")).exists(), path
    # The core is the one part in every render, with nothing to prune.
    assert [name for name, part in QUESTIONS["_parts"].items() if "when" not in part] == ["core"]
    assert "paths" not in QUESTIONS["_parts"]["core"]


def test_no_template_file_carries_a_conditional_name():
    # Leaving a part out is the hook's pruning by `_parts` alone.
    project = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    assert not [path for path in project.rglob("*") if "{%" in path.name]


def test_prune_removes_files_and_directories_and_skips_missing_ones(tmp_path):
    (tmp_path / "pkg" / "auth").mkdir(parents=True)
    (tmp_path / "pkg" / "auth" / "views.py").write_text("")
    (tmp_path / "pkg" / "admin.py").write_text("")
    (tmp_path / "pkg" / "kept.py").write_text("")
    post_gen.prune(tmp_path, ["pkg/auth", "pkg/admin.py", "pkg/missing.py"])
    assert sorted(path.name for path in (tmp_path / "pkg").iterdir()) == ["kept.py"]
