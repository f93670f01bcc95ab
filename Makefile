# Couloir: `make run` sets everything up and runs it; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export COULOIR_DATA_DIR ?= $(CURDIR)/data
export COULOIR_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install migrate demo bench clean

$(BIN)/couloir: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(BIN)/couloir

migrate: install
	$(BIN)/couloir migrate

demo: migrate
	$(BIN)/couloir demo

run: demo
	PORT=$(PORT) $(BIN)/couloir serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data .pytest_cache
