# Every target works from a fresh clone: the virtual environment is made on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# panva's oidc-provider (node) plays the institutions' identity providers in tests/sso.
IDP := tests/sso/idp
IDP_STAMP := $(IDP)/node_modules/.installed
# playwright-core (node) drives Debian's Chromium in tests/browser.
BROWSER := tests/browser
BROWSER_STAMP := $(BROWSER)/node_modules/.installed
CHROMIUM := /usr/bin/chromium
# graphql-http (node) audits /graphql against the GraphQL-over-HTTP spec in tests/clients/http.
HTTP_AUDIT := tests/clients/http
HTTP_AUDIT_STAMP := $(HTTP_AUDIT)/node_modules/.installed

.PHONY: install run test lint schema bench fuzz clean graphiql-assets

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

$(BROWSER_STAMP): $(BROWSER)/package-lock.json
	cd $(BROWSER) && npm ci --no-audit --no-fund
	touch $(BROWSER_STAMP)

# Debian's Chromium for the real-browser test; apt-get only when it is missing (sudo unless root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

install: $(STAMP) $(IDP_STAMP) $(BROWSER_STAMP) $(CHROMIUM) $(HTTP_AUDIT_STAMP)  ## the virtual environment, its dev tools, the test identity provider, browser and HTTP audit

# `make run PORT=8001 HOST=0.0.0.0`; left empty, the settings decide (CLUSTERWORK_PORT, 8000).
PORT ?=
HOST ?=

run: $(STAMP)  ## the server on SQLite with the demo cluster
	$(BIN)/clusterwork serve --demo $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: $(STAMP) $(IDP_STAMP) $(BROWSER_STAMP) $(CHROMIUM) $(HTTP_AUDIT_STAMP)  ## the whole test suite
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

graphiql-assets:  ## refresh infra/static/graphiql from the npm releases pinned in scripts/graphiql-assets
	scripts/graphiql-assets/refresh.sh

clean:
	rm -rf $(VENV) var
