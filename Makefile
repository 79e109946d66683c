# One entry point for people and CI. `make demo` and `make test` create or refresh .venv themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: demo test lint bench setup clean

setup: $(STAMP)

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade "pip>=25.1"
	@$(PY) -m pip install -q -e . --group dev
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/stockturn demo $(DEMO_FLAGS)

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) stockturn-demo.duckdb .pytest_cache .mypy_cache .ruff_cache
