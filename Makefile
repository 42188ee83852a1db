# The template's two commands, `make demo` and `make test`, and their helpers.
# Each creates the virtual environment it needs; nothing is installed globally.

PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
PIP := --quiet --disable-pip-version-check
DEMO := build/my-service
DEMO_VENV := build/.venv

.PHONY: settings demo test test-quick bench lint locks clean

$(BIN)/ready: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP) -r requirements-dev.txt
	touch $@

## make test: every test (hooks, bad answers, renders, generated suites, dyno drills),
## in two processes; the load tests (drills, bench, attacks) all in one of them
test: $(BIN)/ready
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## make test-quick: the edit loop; skips virtual environments and drills
test-quick: $(BIN)/ready
	$(BIN)/python -m pytest -m "not slow"

## make bench: the generated service against bare Flask and Celery doing the
## same work (bench/floor.py): req/s and latency of each endpoint, boot, memory,
## tasks, suite time; one table, also in bench/results/. Needs wrk (Debian's
## package); Postgres and Redis figures with TEST_DATABASE_URL, TEST_REDIS_URL.
bench: $(BIN)/ready
	$(BIN)/python -m bench.run

## make locks: lock every combination of options into templates/locks/ with
## uv, from the parts' dependencies in cookiecutter.json; UPGRADE=1 also moves
## the transitive pins to their newest releases. Then run make test.
locks: $(BIN)/ready
	$(BIN)/python locks.py

## make settings: write the generated project's .env.example and settings
## table (docs/configuration.md) from the settings' declarations in its code.
settings: $(BIN)/ready
	$(BIN)/python settings_templates.py

lint: $(BIN)/ready
	$(BIN)/ruff check .

## make demo: render the default project into build/, release it, serve it
demo: $(BIN)/ready
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir build .
	@# The project's own Python (.python-version) when this machine has one,
	@# else $(PYTHON); uv installs exactly what uv.lock pins, hashes checked.
	python="$$($(BIN)/python -c 'import harness, pathlib; \
	print(harness.project_python(pathlib.Path("$(DEMO)")))')" && cd $(DEMO) && \
		UV_PROJECT_ENVIRONMENT="$(CURDIR)/$(DEMO_VENV)" UV_PYTHON_DOWNLOADS=never \
		"$(CURDIR)/$(BIN)/uv" sync --locked --quiet --python "$$python"
	@# The Procfile's release line, with .env loaded as on a dyno's config.
	cd $(DEMO) && PATH="$(CURDIR)/$(DEMO_VENV)/bin:$$PATH" \
		honcho run $$(sed -n 's/^release: *//p' Procfile)
	@echo
	@echo "  Serving $(DEMO) on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo
	@# Every Procfile process but release, as `heroku local` runs them.
	cd $(DEMO) && PATH="$(CURDIR)/$(DEMO_VENV)/bin:$$PATH" \
		honcho start --port $(PORT) $$(grep -v '^release:' Procfile | cut -d: -f1)

clean:
	rm -rf $(VENV) build .cache .pytest_cache .ruff_cache
