# One command for each routine. The venv lives in .venv (override: make VENV=/path/to/venv …).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus/plans

.PHONY: install install-dev browser sparql-servers run test lint format bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-dev: $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"

# The main job: ingest the sample plans into the embedded store (default location) and print the audit.
run: install
	$(BIN)/tthc-kg ingest data/plans
	$(BIN)/tthc-kg audit --all

browser:
	bash scripts/install-browser.sh

# The SPARQL servers the parity tests start (tests/remote): Debian's virtuoso-opensource (the Oxigraph server comes
# with the Python packages). The tests fail, never skip, when a server cannot be started.
sparql-servers:
	bash scripts/sparql-servers.sh install

test: install-dev browser sparql-servers
	$(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install-dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install-dev
	@command -v rg >/dev/null || { echo "bench needs ripgrep: apt-get install ripgrep"; exit 1; }
	$(PY) bench/accuracy.py --corpus $(CORPUS)
	$(PY) bench/accuracy.py --corpus $(CORPUS) --labels bench/labels-heldout
	$(PY) bench/speed.py --corpus $(CORPUS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
