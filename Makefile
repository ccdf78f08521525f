# Every target works from a fresh clone: the virtual environment is made on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The JavaScript of the tests and benchmarks, each folder with its own package.json and
# lock (npm ci):
#   tests/sso/idp      panva's oidc-provider, the institutions' identity providers
#   tests/browser      playwright-core, which drives Debian's Chromium
#   tests/clients/ws   the GraphQL subscription clients (graphql-ws, Apollo)
#   tests/clients/http graphql-http, the GraphQL-over-HTTP spec's own audit
#   bench/peer         PostGraphile 4 and autocannon, the peer benchmark (bench/peer.py)
NODE_DIRS := tests/sso/idp tests/browser tests/clients/ws tests/clients/http bench/peer
PEER_STAMP := bench/peer/node_modules/.installed
NODE_STAMPS := $(wildcard $(addsuffix /package-lock.json,$(NODE_DIRS)))
NODE_STAMPS := $(NODE_STAMPS:package-lock.json=node_modules/.installed)
CHROMIUM := /usr/bin/chromium

.PHONY: install run test test-fast lint schema bench fuzz clean graphiql-assets lock upgrade

# Installs exactly the locked versions (hashes checked), then the project itself.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

%/node_modules/.installed: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium for the real-browser test; apt-get only when it is missing (sudo unless root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

install: $(STAMP) $(NODE_STAMPS) $(CHROMIUM)  ## the virtual environment, its dev tools, the tests' JavaScript and Chromium

# `make run PORT=8001 HOST=0.0.0.0`; left empty, the settings decide (CLUSTERWORK_PORT, 8000).
PORT ?=
HOST ?=

run: $(STAMP)  ## the server on SQLite with the demo cluster
	$(BIN)/clusterwork serve --demo $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# 4 workers finish as soon as 2 on an idle 2-core machine and keep the suite's share of the
# CPU when other work runs beside it; each worker opens its own databases, servers and pools,
# so more workers need more of PostgreSQL's max_connections. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 4

test: install  ## the whole test suite, on TEST_WORKERS parallel workers
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# The fast tier: the domain tests and the service tests on in-memory fakes of the ports
# (tests/services/fast/), no database and no server, in one process: seconds, not minutes.
# `make test` runs them too, once, with everything else.
test-fast: $(STAMP)  ## domain and service tests on in-memory fakes, no database (seconds)
	$(BIN)/python -m pytest -n 0 -q tests/domain tests/services/fast

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(STAMP)  ## export graphql/schema.graphql from the code
	$(BIN)/python -m graphql_api.export

fuzz: $(STAMP)  ## schemathesis over the GraphQL schema, many more examples than CI runs
	CLUSTERWORK_FUZZ_EXAMPLES=$${CLUSTERWORK_FUZZ_EXAMPLES:-300} $(BIN)/python -m pytest tests/hardening/test_fuzz.py -q

bench: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m bench

# The lock files: requirements-dev.lock (what make install installs) and requirements.lock
# (the server alone, for the Docker image, pinned to the same versions).
LOCK_ARGS := --generate-hashes --universal --python-version 3.11 --quiet --custom-compile-command "make lock"

lock: $(STAMP)  ## re-resolve the lock files after a change to pyproject.toml, keeping every other pin
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_ARGS) -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml -c requirements-dev.lock $(LOCK_ARGS) -o requirements.lock

upgrade: $(STAMP)  ## every dependency to its newest allowed version, then the whole suite; shows what changed
	$(BIN)/uv pip compile pyproject.toml --extra dev --upgrade $(LOCK_ARGS) -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml -c requirements-dev.lock $(LOCK_ARGS) -o requirements.lock
	@git diff --unified=0 requirements-dev.lock | grep -E '^[-+][A-Za-z0-9_.-]+==' || echo "no version changed"
	$(MAKE) test

graphiql-assets:  ## refresh infra/static/graphiql from the npm releases pinned in scripts/graphiql-assets
	scripts/graphiql-assets/refresh.sh

clean:
	rm -rf $(VENV) var $(addsuffix /node_modules,$(NODE_DIRS))
