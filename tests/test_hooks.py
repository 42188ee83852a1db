"""The pre- and post-generation hooks' pure functions."""

import jinja2
import pytest

from harness import QUESTIONS, TEMPLATE_DIR, VARIANTS, load_hook

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


DEFAULT_OPTIONS = {key: value for key, value in QUESTIONS.items() if key.startswith("use_")}
ALL_CHOSEN = dict.fromkeys(DEFAULT_OPTIONS, True)
NONE_CHOSEN = dict.fromkeys(DEFAULT_OPTIONS, False)


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
        "migrations/versions/0003_create_api_tokens.py",
        "migrations/versions/0005_tie_api_tokens_to_logins.py",
        "tests/api",
        "tests/notes/test_api.py",
    ]


def test_the_bare_project_keeps_only_the_core():
    bare = set(post_gen.unchosen_paths(NONE_CHOSEN, "svc"))
    assert {"svc/accounts/limits.py", "svc/platform/redis_client.py", "svc/worker"} <= bare


@pytest.mark.parametrize("answers", VARIANTS.values(), ids=VARIANTS.keys())
def test_the_templated_files_and_the_hook_choose_the_same_parts(answers):
    # Files ask templates/parts.jinja which parts a render has; the hook
    # prunes by chosen_features. One answer each, for every combination.
    answers = {**DEFAULT_OPTIONS, **answers}  # as cookiecutter fills them in
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR / "templates"))
    parts = environment.get_template("parts.jinja").make_module({"cookiecutter": answers})
    chosen = post_gen.chosen_features(answers)
    assert {name: bool(getattr(parts, name)) for name in chosen} == chosen
    assert {name for name in dir(parts) if not name.startswith("_")} == set(chosen)


def test_no_template_file_carries_a_conditional_name():
    # Leaving a feature out is the hook's table alone (FEATURE_PATHS).
    project = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    assert not [path for path in project.rglob("*") if "{%" in path.name]


def test_prune_removes_files_and_directories_and_skips_missing_ones(tmp_path):
    (tmp_path / "pkg" / "auth").mkdir(parents=True)
    (tmp_path / "pkg" / "auth" / "views.py").write_text("")
    (tmp_path / "pkg" / "admin.py").write_text("")
    (tmp_path / "pkg" / "kept.py").write_text("")
    post_gen.prune(tmp_path, ["pkg/auth", "pkg/admin.py", "pkg/missing.py"])
    assert sorted(path.name for path in (tmp_path / "pkg").iterdir()) == ["kept.py"]
