from {{ cookiecutter.package_name }}.platform.extending import add_health_check


def test_healthy_service_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"] == {"status": "ok"}
    # Features add their dependencies (the worker its broker, see its tests).
    assert all(check == {"status": "ok"} for check in response.json["checks"].values())
    assert response.headers["Cache-Control"] == "no-store"


def test_unreachable_database_makes_the_service_degraded(make_app, tmp_path):
    # A directory is no SQLite file: every connection attempt fails.
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError",
    }


def test_a_failing_registered_check_is_reported_alone(make_app):
    app = make_app()

    def broker_down():
        raise ConnectionError("no broker")

    add_health_check(app, "broker", broker_down)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == {"status": "ok"}
    assert response.json["checks"]["broker"]["error"] == "ConnectionError"
