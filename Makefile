# Every target works from a fresh clone: the virtual environment is made on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# panva's oidc-provider (node) plays the institutions' identity providers in tests/sso.
IDP := tests/sso/idp
IDP_STAMP := $(IDP)/node_modules/.installed
# graphql-http (node) audits /graphql against the GraphQL-over-HTTP spec in tests/clients/http.
HTTP_AUDIT := tests/clients/http
HTTP_AUDIT_STAMP := $(HTTP_AUDIT)/node_modules/.installed

.PHONY: install run test lint schema bench fuzz clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(IDP_STAMP): $(IDP)/package-lock.json
	cd $(IDP) && npm ci --no-audit --no-fund
	touch $(IDP_STAMP)

$(HTTP_AUDIT_STAMP): $(HTTP_AUDIT)/package-lock.json
	cd $(HTTP_AUDIT) && npm ci --no-audit --no-fund
	touch $(HTTP_AUDIT_STAMP)

install: $(STAMP) $(IDP_STAMP) $(HTTP_AUDIT_STAMP)  ## the virtual environment, its dev tools, the test identity provider and HTTP audit

run: $(STAMP)  ## the server on SQLite with the demo cluster
	$(BIN)/clusterwork serve --demo

test: $(STAMP) $(IDP_STAMP) $(HTTP_AUDIT_STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)  ## export graphql/schema.graphql from the code
	$(BIN)/python -m graphql_api.export

fuzz: $(STAMP)  ## schemathesis over the GraphQL schema, many more examples than CI runs
	CLUSTERWORK_FUZZ_EXAMPLES=$${CLUSTERWORK_FUZZ_EXAMPLES:-300} $(BIN)/python -m pytest tests/hardening/test_fuzz.py -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
