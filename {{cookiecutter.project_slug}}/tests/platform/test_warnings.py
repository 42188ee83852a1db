"""Warnings (pyproject.toml's filterwarnings): the project's own fail the
test that raises them; other libraries' are only listed after the run."""

import warnings

import pytest

PACKAGE = "{{ cookiecutter.package_name }}"


@pytest.mark.parametrize("module", [PACKAGE, f"{PACKAGE}.platform.settings"])
def test_a_warning_from_the_package_fails_the_test(module):
    # What warnings.warn() does in a module of the package, its name given.
    with pytest.raises(DeprecationWarning, match="the old way"):
        warnings.warn_explicit("the old way", DeprecationWarning, "module.py", 1, module=module)


def test_a_warning_from_a_test_fails_it():
    with pytest.raises(UserWarning, match="careful"):
        warnings.warn("careful", stacklevel=1)


@pytest.mark.parametrize("module", ["flask.app", f"{PACKAGE}_client"])
def test_another_librarys_warning_is_only_listed(module):
    with warnings.catch_warnings(record=True) as listed:
        warnings.warn_explicit("the old way", DeprecationWarning, "module.py", 1, module=module)
    assert [str(warning.message) for warning in listed] == ["the old way"]
