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
LRS      ?= /xapi/
LRS_PORT ?= 8100

.PHONY: serve build instructor pack pdf slides scorm lms-export class lrs lrs-tools bench bench-hub test lab app results hub clean setup assets chromium graphviz

## serve: set up, build the book and serve it on http://127.0.0.1:8000 (compressed, cacheable);
##        it rebuilds the book when you save a source (tools/watch.py). HOST=0.0.0.0 serves a
##        classroom network
serve: build
	@$(BIN)/python tools/serve.py _build/html --bind $(HOST) --port $(PORT) --watch .

## build: the HTML book in _build/html (strict: any warning fails)
##        HUB_URL=https://hub.example.org COURSE_REPO=https://git.example.org/org/course [COURSE_BRANCH=main]:
##        each workbook opens on that JupyterHub through nbgitpuller (the repository's last segment
##        names the learner's folder)
build: setup graphviz
	PEACEOPS_HUB_URL="$(HUB_URL)" PEACEOPS_COURSE_REPO="$(COURSE_REPO)" PEACEOPS_COURSE_BRANCH="$(COURSE_BRANCH)" \
	  $(BIN)/jupyter-book build . $(JB_FLAGS)

## class: the class edition in _build/class: the book plus a reporter that sends quiz answers,
##        activity decisions and the final assessment as xAPI records to LRS (a path of this site,
##        default /xapi/), served with that path passed on to `make lrs` on 127.0.0.1:LRS_PORT.
##        Needs LRS_USER and LRS_PASSWORD (the class user) in the environment; see README
class: build
	$(BIN)/python tools/class_edition.py $(LRS)
	@$(BIN)/python tools/serve.py _build/class/_build/html --bind $(HOST) --port $(PORT) \
	  --lrs-path $(LRS) --lrs-upstream http://127.0.0.1:$(LRS_PORT)/xAPI/

## lrs:   the class's learning-record store (ralph, PyPI) on 127.0.0.1:LRS_PORT, records in lrs-data/.
##        Needs LRS_USER, LRS_PASSWORD, LRS_TEACHER_USER, LRS_TEACHER_PASSWORD in the environment
lrs: lrs-tools
	@$(BIN)/python tools/lrs.py --port $(LRS_PORT)

lrs-tools: $(BIN)/.lrs-installed

$(BIN)/.lrs-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[lrs]"
	@touch $@

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

## scorm: the built book as SCORM 1.2 and SCORM 2004 packages in _build/scorm, for an LMS (README:
##        "For teachers: your LMS or LRS"); the book itself is unchanged
scorm: build assets
	$(BIN)/python tools/make_scorm.py

## lms-export: every chapter quiz and the final-assessment bank as Moodle XML, GIFT and Canvas QTI
##             in _build/lms (QTI by text2qti, the [lms] extra, which setup installs)
lms-export: setup
	$(BIN)/python -m peaceops.quizbank _build/lms

## bench: measure builds, tests, page weight, time to interactive (also of a jupyterquiz page with
##        the same questions) and Lighthouse scores, before
##        (commit fe8fa44, book pages in kernels) and after, in one run and one table (medians
##        of 3; about an hour). BENCH_FLAGS=--help for options, e.g. BENCH_FLAGS="--only builds"
bench: setup assets chromium graphviz benchmarks/node_modules/.installed $(BIN)/.bench-installed
	$(BIN)/python benchmarks/run.py $(BENCH_FLAGS)

# jupyterquiz, for the bench's comparison page only (the `bench` extra)
$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	@touch $@

## bench-hub: 10, 20 and 30 learners at once on the class hub (make hub), on 127.0.0.1: log in, start
##            a server, pull the course, run a workbook; prints spawn p50/p95, failures and memory
bench-hub: setup assets
	$(BIN)/python benchmarks/hub_load.py $(BENCH_HUB_FLAGS)

benchmarks/node_modules/.installed: benchmarks/package.json benchmarks/package-lock.json
	cd benchmarks && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## test: set up what the tests need (Chromium included) and run every test
test: setup assets chromium graphviz lrs-tools
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

## results: the class-results dashboard for teachers (Voila, on 127.0.0.1, opens the browser):
##          choose the learners' files, read the tables, download them as Excel or CSV
RESULTS_PORT ?= 8867
results: setup
	@$(BIN)/python tools/class_results_app.py $(RESULTS_PORT)

## hub: a JupyterHub for a class on http://127.0.0.1:8000 (sign-up approved by the teacher, who is
##      the admin; idle servers stopped after HUB_IDLE_MINUTES). HOST=0.0.0.0 for a classroom network
##      (plain HTTP: read the warning it prints). State (accounts, homes) in _hub/
HUB_PORT ?= 8000
HUB_IDLE_MINUTES ?= 60
hub: setup assets
	@$(BIN)/python tools/hub.py --host $(HOST) --port $(HUB_PORT) --idle-minutes $(HUB_IDLE_MINUTES)

## clean: remove the build and the installed tools (.venv, node_modules)
clean:
	rm -rf _build $(VENV) node_modules benchmarks/node_modules .pytest_cache

setup: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else f"Python 3.10 or newer is needed, found {v.major}.{v.minor}. Install it or run: make PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -e ".[book,test,lab,lms,hub]"
	@touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer): install Node.js, then run make again."; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || { echo "Node.js 18 or newer is needed, found $$(node --version)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser offline)
chromium:
	@sh tools/ensure_program.sh chromium "The browser tests" \
	  "Debian/Ubuntu: sudo apt-get install chromium; or set CHROMIUM to an existing Chromium or Chrome binary" \
	  "$(CHROMIUM)" /usr/bin/chromium /usr/bin/chromium-browser

# Graphviz's dot draws the figures when the book is built (and for the slides)
graphviz:
	@sh tools/ensure_program.sh graphviz "The book's figures" \
	  "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz" dot
