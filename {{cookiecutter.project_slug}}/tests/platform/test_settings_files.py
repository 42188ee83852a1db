{%- from "parts.jinja" import parts with context -%}
"""Each setting is declared once, in the code: .env.example, the table in
docs/configuration.md and app.json's env are made from the declarations
(`flask settings write`) and must agree with them."""

import gc
import os
import runpy
import shutil
from pathlib import Path
from types import ModuleType

from {{ cookiecutter.package_name }} import FEATURES, create_app
from {{ cookiecutter.package_name }}.platform import settings_files
from {{ cookiecutter.package_name }}.platform.environment import Setting
from {{ cookiecutter.package_name }}.platform.settings import SECRET_KEY

FILES = (".env.example", "docs/configuration.md", "app.json")
PROJECT_DIR = Path(__file__).resolve().parents[2]
# Some settings are read only when another is set: each environment turns
# some of those on, and together they have the app read every setting it
# declares.
ENVIRONMENTS = (
    {
        "APP_ENV": "test",
        "DATABASE_URL": "postgresql://app@db.example.com/app",
        "REDIS_URL": "redis://redis.example.com:6379/0",
{%- if parts.mail %}
        "SMTP_HOST": "smtp.example.com",
{%- endif %}
    },
{%- if parts.mail %}
    {"APP_ENV": "test", "MAILGUN_SMTP_SERVER": "smtp.mailgun.org"},
{%- endif %}
)


class RecordingEnviron(dict):
    """An environment that notes each variable looked up."""

    def __init__(self, values):
        super().__init__(values)
        self.asked = set()

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)

    def __contains__(self, name):
        self.asked.add(name)
        return super().__contains__(name)


def test_the_files_are_what_the_declarations_make():
    for path, text in settings_files.written_files(settings_files.declared(FEATURES)).items():
        assert path.read_text() == text, (
            f"{path.name} disagrees with the settings' declarations: run `flask settings write`"
        )


def declaring_modules() -> list[ModuleType]:
    return [settings_files.settings, settings_files.web_server, *FEATURES]


def test_every_setting_declared_is_listed_in_a_modules_settings():
    found = {
        value
        for module in declaring_modules()
        for value in vars(module).values()
        if isinstance(value, Setting)
    }
    listed = {
        setting for module in declaring_modules() for setting in getattr(module, "SETTINGS", ())
    }
    assert found <= listed, {setting.name for setting in found - listed}


def test_every_setting_declared_is_read(monkeypatch):
    # A declaration whose value no code reads would be documented, listed in
    # app.json and do nothing.
    asked = set()
    for values in ENVIRONMENTS:
        environ = RecordingEnviron(values)
        create_app(environ)
        asked |= environ.asked
    # gunicorn.conf.py reads the web server's settings from the process.
    environ = RecordingEnviron({})
    monkeypatch.setattr(os, "environ", environ)
    monkeypatch.setattr(gc, "disable", gc.enable)  # what the config does for gunicorn's workers
    runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))
    asked |= environ.asked
    sections = settings_files.declared(FEATURES)
    declared = {setting.name for _module, settings in sections for setting in settings}
    assert declared <= asked, f"declared, never read: {sorted(declared - asked)}"


def test_no_variable_is_declared_twice():
    names = [
        setting.name
        for _module, settings in settings_files.declared(FEATURES)
        for setting in settings
    ]
    assert len(names) == len(set(names))


def test_settings_write_rewrites_a_stale_file(app, runner, tmp_path, monkeypatch):
    for name in FILES:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(settings_files.PROJECT_DIR / name, tmp_path / name)
    (tmp_path / ".env.example").write_text("# stale\n")
    monkeypatch.setattr(settings_files, "PROJECT_DIR", tmp_path)
    result = runner.invoke(args=["settings", "write"])
    assert result.exit_code == 0, result.output
    assert "wrote .env.example" in result.output
    assert (tmp_path / ".env.example").read_text() == settings_files.env_example(
        settings_files.declared(FEATURES)
    )
    # The others already agreed: left as they were.
    assert "wrote app.json" not in result.output


def test_secrets_are_generated_on_heroku_and_never_given_a_value():
    env = settings_files.app_json_env(settings_files.declared(FEATURES))
    assert env[SECRET_KEY.name] == {"description": SECRET_KEY.help, "generator": "secret"}


def test_flask_check_names_a_setting_production_needs(make_app):
    app = make_app(APP_ENV="production", SECRET_KEY="s" * 48)
    result = app.test_cli_runner().invoke(args=["check"])
    assert "- PUBLIC_URL is not set: The service's public origin" in result.output
