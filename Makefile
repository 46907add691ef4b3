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

.PHONY: serve build instructor pack pdf slides bench test lab app clean setup assets chromium graphviz

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

## pack: the facilitator's print pack in _build/pack (PDF, offline): activity briefs, decision
##       grids and verdict sheets, role cards and inject slips one per page, the instructor edition
pack: build instructor chromium
	$(BIN)/python tools/make_pack.py

## slides: a reveal.js deck per chapter in _build/slides (offline)
slides: setup assets graphviz
	$(BIN)/python tools/make_slides.py

## bench: measure builds, tests, page weight, time to interactive and Lighthouse scores, before
##        (commit fe8fa44, book pages in kernels) and after, in one run and one table (medians
##        of 3; about an hour). BENCH_FLAGS=--help for options, e.g. BENCH_FLAGS="--only builds"
bench: setup assets chromium graphviz benchmarks/node_modules/.installed
	$(BIN)/python benchmarks/run.py $(BENCH_FLAGS)

benchmarks/node_modules/.installed: benchmarks/package.json benchmarks/package-lock.json
	cd benchmarks && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## test: set up what the tests need (Chromium included) and run every test
test: setup assets chromium graphviz
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests
	$(BIN)/python -m pytest --nbval --nbval-current-env notebooks

## lab: open the notebooks in JupyterLab (on 127.0.0.1, with a login token)
##      As root (a container or classroom VM) it adds --allow-root and says so.
lab: setup
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root, so JupyterLab is started with --allow-root. It listens on 127.0.0.1 only"; \
	  echo "and asks for its token; code in the notebooks runs as root. Safer: run make lab as an ordinary user."; \
	  $(BIN)/jupyter lab --allow-root --ServerApp.ip=127.0.0.1 notebooks/; \
	else $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 notebooks/; fi

## app: the spectrum explorer and the asymmetric-integration scenario as a projector app (Voila)
##      at most APP_MAX_KERNELS viewers at once; a closed viewer's kernel stops after APP_IDLE_MINUTES
APP_PORT ?= 8866
APP_MAX_KERNELS ?= 20
APP_IDLE_MINUTES ?= 10
app: setup
	@$(BIN)/python tools/projector_app.py $(APP_PORT) --max-kernels $(APP_MAX_KERNELS) --idle-minutes $(APP_IDLE_MINUTES)

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
