# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: run worker test install migrate demo lint typecheck bench compile test-compiled clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up, migrate, load the demo practices and serve on http://127.0.0.1:$(PORT) (make run PORT=8001),
## with the task worker (imports, refreshes) beside it; both stop together.
run: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py seed_demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The task worker alone (database queue), e.g. beside a separately started server
worker: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py db_worker

## Set up and run the whole test suite (SQLite unless DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

bench: $(STAMP)
	$(PY) scripts/bench_engine.py

## Optional: compile the Belgian engine with mypyc into build/compiled-engine/ (needs a C compiler
## and the Python headers); the app uses it only with REIMBURSE_ENGINE=compiled. `make test` never does.
compile: $(STAMP)
	$(PY) scripts/compile_engine.py

## Build the compiled engine and check that it answers as the pure one (the oracle, the properties);
## test_fast_paths.py patches the pure modules' globals, which compiled code never reads.
test-compiled: compile
	REIMBURSE_ENGINE=compiled $(BIN)/pytest tests/engine \
	  --ignore=tests/engine/be/test_fast_paths.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache db.sqlite3 build
