# The course's commands. Learners need two: `make serve` and `make test` (see README.md).
# Everything else is set up on demand: a virtual environment in .venv/ (Python packages from
# PyPI, pinned in pyproject.toml) and front-end files from npm (pinned in package-lock.json).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
JB_FLAGS ?= -W -n --keep-going

.PHONY: serve build instructor pdf slides bench test lab app clean setup assets chromium

## serve: set up, build the book and serve it on http://127.0.0.1:8000
serve: build
	@echo ""
	@echo "  The course is at  http://$(HOST):$(PORT)/   (press Ctrl+C to stop)"
	@echo ""
	@$(BIN)/python -m http.server $(PORT) --bind $(HOST) --directory _build/html

## build: the HTML book in _build/html (strict: any warning fails)
build: setup assets
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## instructor: the instructor edition (adds seminar plans, answer keys, simulation injects)
instructor: setup assets
	$(BIN)/python tools/instructor_edition.py

## pdf: the whole course and a handout per page as PDF, printed offline by Chromium
pdf: build chromium
	$(BIN)/python tools/print_pdf.py

## slides: a reveal.js deck per chapter in _build/slides (offline)
slides: setup assets
	$(BIN)/python tools/make_slides.py

## bench: measure builds, page weight and time to interactive (medians of 3; prints a table)
bench: setup assets chromium
	$(BIN)/python benchmarks/run.py $(BENCH_FLAGS)

## test: set up what the tests need (Chromium included) and run every test
test: setup assets chromium
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
	rm -rf _build _assets/vendor $(VENV) node_modules .pytest_cache

setup: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else f"Python 3.10 or newer is needed, found {v.major}.{v.minor}. Install it or run: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -e ".[book,test,lab]"
	@touch $@

assets: node_modules/.installed
	$(BIN)/python tools/vendor_assets.py

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer): install Node.js, then run make again."; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || { echo "Node.js 18 or newer is needed, found $$(node --version)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@sh tools/ensure_chromium.sh
