# Every target works from a fresh clone: the virtual environment is made on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint schema bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## the virtual environment with the package and its dev tools

run: $(STAMP)  ## the server on SQLite with the demo cluster
	$(BIN)/clusterwork serve --demo

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)  ## export graphql/schema.graphql from the code
	$(BIN)/python -m graphql_api.export

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
