# The course's commands. Learners need two: `make serve` and `make test` (see README.md).
# Everything else is set up on demand: a virtual environment in .venv/ (Python packages from
# PyPI, pinned in pyproject.toml), Graphviz (Debian) to draw the figures and, for the tests,
# slides and benchmarks only, packages from npm (pinned in package-lock.json). Building and
# serving the book needs no Node.js.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
JB_FLAGS ?= -W -n --keep-going

.PHONY: serve build instructor pdf slides bench test lab app clean setup assets chromium graphviz

## serve: set up, build the book and serve it on http://127.0.0.1:8000 (compressed, cacheable)
##        HOST=0.0.0.0 serves a classroom network
serve: build
	@$(BIN)/python tools/serve.py _build/html --bind $(HOST) --port $(PORT)

## build: the HTML book in _build/html (strict: any warning fails)
build: setup graphviz
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## instructor: the instructor edition (adds seminar plans, answer keys, simulation injects)
instructor: setup graphviz
	$(BIN)/python tools/instructor_edition.py

## pdf: the whole course and a handout per page as PDF, printed offline by Chromium
pdf: build chromium
	$(BIN)/python tools/print_pdf.py

## slides: a reveal.js deck per chapter in _build/slides (offline)
slides: setup assets graphviz
	$(BIN)/python tools/make_slides.py

## bench: measure builds, tests, page weight, time to interactive and Lighthouse scores
##        (medians of 3; prints tables; about 40 minutes). BENCH_FLAGS=--help for options
bench: setup assets chromium graphviz benchmarks/node_modules/.installed
	$(BIN)/python benchmarks/run.py $(BENCH_FLAGS)

benchmarks/node_modules/.installed: benchmarks/package.json benchmarks/package-lock.json
	cd benchmarks && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## test: set up what the tests need (Chromium included) and run every test
test: setup assets chromium graphviz
	$(BIN)/python -m pytest -n 2 tests
	$(BIN)/python -m pytest --nbval --nbval-current-env notebooks

## lab: open the notebooks in JupyterLab
lab: setup
	$(BIN)/jupyter lab notebooks/

## app: the spectrum explorer and the asymmetric-integration scenario as a projector app (Voila)
APP_PORT ?= 8866
app: setup
	@$(BIN)/python tools/projector_app.py $(APP_PORT)

## clean: remove the build and the installed tools (.venv, node_modules)
clean:
	rm -rf _build $(VENV) node_modules benchmarks/node_modules .pytest_cache

setup: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else f"Python 3.10 or newer is needed, found {v.major}.{v.minor}. Install it or run: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -e ".[book,test,lab]"
	@touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer): install Node.js, then run make again."; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || { echo "Node.js 18 or newer is needed, found $$(node --version)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@sh tools/ensure_chromium.sh

# Graphviz draws the figures when the book is built (and for the slides)
graphviz:
	@sh tools/ensure_graphviz.sh
