import pytest

from support import FIGURES, project_venv, render


@pytest.fixture(scope="session")
def default_project(tmp_path_factory):
    """The project as `cookiecutter` renders it with every default answer."""
    return render(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="session")
def default_venv(default_project):
    return project_venv(default_project)


@pytest.fixture(scope="session")
def no_web_ui_project(tmp_path_factory):
    """The project rendered with use_web_ui=false."""
    return render(tmp_path_factory.mktemp("no-web-ui"), use_web_ui=False)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("measured")
        for line in FIGURES:
            terminalreporter.write_line(line)
