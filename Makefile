# Couloir: `make run` sets everything up and runs it; `make test` runs the whole test suite.
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
PWA := pwa
PORT ?= 8000
# pytest-xdist workers for `make test`: each has its own servers, SQLite files and PostgreSQL databases.
TEST_WORKERS ?= 4
export COULOIR_DATA_DIR ?= $(CURDIR)/data
export COULOIR_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

PWA_SOURCES := $(shell find $(PWA)/src $(PWA)/public -type f) \
	$(addprefix $(PWA)/,index.html package.json vite.config.ts tsconfig.json tsconfig.test.json)

.PHONY: run test lint install migrate demo pwa client browser audit clean

$(BIN)/couloir: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(BIN)/couloir

$(PWA)/node_modules/.package-lock.json: $(PWA)/package-lock.json
	cd $(PWA) && $(NPM) ci --no-audit --no-fund

$(PWA)/dist/index.html: $(PWA)/node_modules/.package-lock.json $(PWA_SOURCES)
	cd $(PWA) && $(NPM) run build

pwa: $(PWA)/dist/index.html

# After any API change: regenerate the PWA's typed client and commit pwa/src/api/ (a test fails when stale).
client: install $(PWA)/node_modules/.package-lock.json
	$(BIN)/python $(PWA)/scripts/gen_api.py

# Debian's Chromium for the browser tests (installed with apt-get when missing).
browser:
	bash scripts/install-browser.sh

migrate: install
	$(BIN)/couloir migrate

demo: migrate
	$(BIN)/couloir demo

# The demo is made once the service answers, and the way in (join link, zone codes, organizer link) printed then.
run: migrate pwa
	PORT=$(PORT) $(BIN)/couloir serve --port $(PORT) --demo

# Lint and type check (CI runs it before the tests): ruff's rules and format, mypy as pyproject.toml sets it.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install pwa browser
	cd $(PWA) && $(NPM) test
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# Known vulnerabilities in the pinned dependencies (needs the advisory databases: not run in CI here).
audit: install
	$(BIN)/pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.lock
	cd $(PWA) && $(NPM) audit --omit=dev

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache $(PWA)/node_modules $(PWA)/dist
