"""The app's class: Flask, checking each view and hook for a coroutine once."""

from flask import Flask


class Hooks:
    def hook(self):
        return "done"


def test_a_function_is_checked_once_and_a_bound_method_by_its_function(app, monkeypatch):
    checked = []
    flask_check = Flask.ensure_sync
    monkeypatch.setattr(
        Flask, "ensure_sync", lambda app, func: checked.append(func) or flask_check(app, func)
    )
    for _ in range(3):
        method = Hooks().hook  # a new object each time, one function
        assert app.ensure_sync(method) is method
    assert len(checked) <= 1  # none when another test checked Hooks.hook first
    assert Hooks.hook._checked_synchronous


def test_a_coroutine_is_still_handed_to_flask(app, monkeypatch):
    async def view():
        return "ok"

    handed = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: handed.append(func) or object())
    app.ensure_sync(view)
    app.ensure_sync(view)
    assert handed == [view, view]  # checked and wrapped each time, never taken as plain
