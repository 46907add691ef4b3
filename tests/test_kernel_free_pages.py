"""Book pages without kernels: widget directives embed what a kernel would, and the build is
deterministic (the same input gives byte-identical HTML)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from peaceops.sphinxext import SHARED, module_as_function, shared_entry, shared_script, shared_widget_code

ROOT = Path(__file__).resolve().parent.parent
STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)

# every directive the book uses: (page, directive line, the notebook cell that makes the same widget)
WIDGETS = [
    ("book/ch01-what-integration-means", "{spectrum}", "SpectrumExplorer()"),
    ("book/ch01-what-integration-means", "{activity} ch01-asymmetric", 'Activity("ch01-asymmetric")'),
    ("book/ch01-what-integration-means", "{discussion} ch01", 'Discussion("ch01")'),
    ("book/ch01-what-integration-means", "{quiz} ch01", 'Quiz("ch01")'),
    ("book/simulation-solo", "{solo-simulation} quessara-solo", 'SoloSimulation("quessara-solo")'),
    ("book/progress", "{progress}", "Progress()"),
    ("book/exam", "{exam}", "Exam()"),
    ("book/certificate", "{certificate}", "Certificate()"),
    ("book/check-before", "{knowledge-check} pre", 'KnowledgeCheck("pre")'),
    ("book/check-after", "{knowledge-check} post", 'KnowledgeCheck("post")'),
    ("book/evaluation", "{evaluation}", "Evaluation()"),
]


def page_widgets(html: str) -> list[tuple[dict, dict]]:
    """(view, {model id: model}) for each widget view on a page, in page order (the models of
    every widget-state script on the page)."""
    state = {}
    for script in STATE.findall(html):
        state.update(json.loads(script)["state"])
    return [(json.loads(v), state) for v in VIEW.findall(html)]


def models_of(model_id: str, state: dict) -> list[dict]:
    """A widget's model and the models it refers to (its layout), with ids taken out: what a
    learner's browser is given, whatever the ids are called."""
    entry = json.loads(json.dumps(state[model_id]))
    refs = {k: v[len("IPY_MODEL_"):] for k, v in entry["state"].items()
            if isinstance(v, str) and v.startswith("IPY_MODEL_")}
    for k in refs:
        entry["state"][k] = "IPY_MODEL_(id)"
    return [entry] + [m for ref in sorted(refs.values()) for m in models_of(ref, state)]


def test_no_book_page_needs_a_kernel():
    for page in sorted((ROOT / "book").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert "kernelspec" not in text and "{code-cell}" not in text, (
            f"{page.relative_to(ROOT)}: book pages are plain MyST; show a widget with its directive, e.g. ```{{quiz}} ch01")


def test_a_build_executes_only_the_notebooks(site):
    """Book pages come out without notebook cells (nothing ran for them), and the build ran at
    most the notebooks (none, when jupyter-cache already had them)."""
    from conftest import BUILD
    executed = sum(int(n) for n in re.findall(r"\[peaceops\] executed (\d+) pages", BUILD["log"]))
    executed += len(re.findall(r"Executed notebook in", BUILD["log"]))
    notebooks = len(list((ROOT / "notebooks").glob("*.ipynb")))
    assert executed <= notebooks <= 12, f"{executed} pages executed; only the {notebooks} notebooks should run"
    with_cells = [p.name for p in (site / "book").glob("*.html") if 'class="cell ' in p.read_text(encoding="utf-8")]
    assert not with_cells, f"book pages made by a kernel: {with_cells}"
    assert all('class="cell ' in p.read_text(encoding="utf-8") for p in (site / "notebooks").glob("*.html"))


def test_directives_embed_the_state_a_kernel_makes(site, tmp_path):
    """Parity: for every widget type, the page's embedded models (state, module, CSS, layout)
    equal those a kernel makes from the same call, and so does the view output."""
    cells = [nbformat.v4.new_code_cell("from peaceops import *")]
    cells += [nbformat.v4.new_code_cell(call) for _, _, call in WIDGETS]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    kernel_state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    used = {}
    for (page, directive, call), cell in zip(WIDGETS, cells[1:]):
        source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        assert f"```{directive}\n" in source, f"{page}.md no longer shows {directive}: update this test"
        kernel_view = cell.outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
        # this page's widgets of the same class, in page order; the n-th use of the directive
        page_views = [(view, state) for view, state in page_widgets((site / f"{page}.html").read_text(encoding="utf-8"))
                      if state[view["model_id"]]["state"]["_anywidget_id"]
                      == kernel_state[kernel_view["model_id"]]["state"]["_anywidget_id"]]
        n = used[(page, directive)] = used.get((page, directive), -1) + 1
        view, state = page_views[n]
        assert {k: v for k, v in view.items() if k != "model_id"} == {k: v for k, v in kernel_view.items() if k != "model_id"}
        # the page writes each module and the CSS once (sphinxext.shared_widget_code) and its
        # models name them: the kernel's models, treated so, must be the page's, and the page
        # must register the kernel's module and CSS under those names
        shared, treated = shared_widget_code({kernel_view["model_id"]: kernel_state[kernel_view["model_id"]]})
        kernel_models = {**kernel_state, **treated}
        assert len(shared) == 2, f"{call}: its module and CSS should be written once per page"
        assert models_of(view["model_id"], state) == models_of(kernel_view["model_id"], kernel_models), (
            f"{directive} on {page} embeds a different state than {call} in a kernel")
        html = (site / f"{page}.html").read_text(encoding="utf-8")
        for key, value in shared.items():
            assert html.count(shared_entry(key, value)) == 1, f"{page}: {call}'s module or CSS is not written once"


def test_every_widget_module_runs_as_a_function_written_into_the_page(browser):
    """The page runs each widget's module as a function while it is parsed
    (sphinxext.module_as_function): for every widget class, that function gives Chromium the
    same default export as importing the module itself (anywidget's way)."""
    from peaceops import widgets
    classes = sorted({cls for cls in vars(widgets).values()
                      if isinstance(cls, type) and isinstance(getattr(cls, "_esm", None), str)}, key=lambda c: c.__name__)
    assert len(classes) >= 8
    page = browser.new_page()
    try:
        for cls in classes:
            function = module_as_function(cls._esm)
            assert function is not None, f"{cls.__name__}'s module is not of the form a page can run as it is read"
            imported, called = page.evaluate("""async ([esm, fn]) => {
              const describe = (w) => Object.keys(w).sort().map((k) => k + ":" + typeof w[k]).join(",");
              const module = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
              return [describe(module.default), describe((0, eval)("(" + fn + ")")())];
            }""", [cls._esm, function])
            assert imported == called and "render:function" in called, (cls.__name__, imported, called)
    finally:
        page.close()


def test_a_module_that_cannot_run_as_a_function_stays_in_the_state_and_still_shows(browser):
    """A module with an import, two default exports, or a text that could end its script element
    stays whole in the widget state, and the host imports it; a model naming code the page
    lacks says it cannot be shown, and the other widgets still are."""
    assert module_as_function("import x from './x.js';\nexport default { render };") is None
    assert module_as_function("const u = import.meta.url;\nexport default { render };") is None
    assert module_as_function("const t = '</SCRIPT>';\nexport default { render };") is None
    assert module_as_function("export default { a };\nexport default { b };") is None
    assert module_as_function("const data = await fetch('x.json');\nexport default { render };") is None
    kept = "const where = import.meta.url;\nfunction render({ el }) { el.textContent = 'imported module shown'; }\nexport default { render };"
    shared, models = shared_widget_code({"m1": {"model_module": "anywidget", "model_name": "AnyModel",
                                                "state": {"_esm": kept, "_css": ".made-here { color: red; }"}}})
    assert models["m1"]["state"]["_esm"] == kept and models["m1"]["state"]["_css"].startswith(SHARED)
    missing = {"model_module": "anywidget", "model_name": "AnyModel", "state": {"_esm": SHARED + "0" * 20, "_css": ""}}
    state = json.dumps({"state": {**models, "m2": missing}, "version_major": 2, "version_minor": 0})
    host = (ROOT / "_assets" / "static-widgets.js").read_text(encoding="utf-8")
    html = (f"<!doctype html><html><head><title>t</title><script>{host}</script></head><body>"
            f"{shared_script(shared)}<script type=\"application/vnd.jupyter.widget-state+json\">{state}</script>"
            '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "m2"}</script>'
            '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "m1"}</script></body></html>')
    page = browser.new_page()
    try:
        page.route("http://127.0.0.1:9/", lambda route: route.fulfill(body=html, content_type="text/html"))
        page.goto("http://127.0.0.1:9/")
        page.wait_for_selector("text=imported module shown", timeout=10000)
        assert "could not be shown here (its code is missing from this page)" in page.inner_text("body")
        assert page.evaluate("[...document.querySelectorAll('style')].some(s => s.textContent.includes('made-here'))")
    finally:
        page.close()


def test_model_ids_come_from_the_page_and_the_widget(site):
    """No random ids: a widget page names its models the same in every build (and differently
    from other pages)."""
    from peaceops.sphinx_widgets import stable_id
    html = (site / "book/ch01-what-integration-means.html").read_text(encoding="utf-8")
    ids = [view["model_id"] for view, _ in page_widgets(html)]
    assert ids == [stable_id("book/ch01-what-integration-means", d, "1")
                   for d in ("spectrum", "activity ch01-asymmetric", "discussion ch01", "quiz ch01")]


def test_each_widget_state_stands_before_its_view(site):
    """So a widget can be shown as soon as the browser has parsed it (static-widgets.js): on every
    page with widgets, chapters and workbooks, each view's models (its own and its layout's) are
    in a state script before the view, and no model is written twice."""
    pages = [p for p in sorted(site.rglob("*.html")) if VIEW.search(p.read_text(encoding="utf-8"))]
    assert any(str(p.relative_to(site)).startswith("notebooks/") for p in pages) and len(pages) >= 15
    for path in pages:
        html = path.read_text(encoding="utf-8")
        written: list[str] = []
        for view in VIEW.finditer(html):
            before = {}
            for script in STATE.findall(html[:view.start()]):
                before.update(json.loads(script)["state"])
            model_id = json.loads(view.group(1))["model_id"]
            try:
                models_of(model_id, before)   # the model, then each model it refers to
            except KeyError as missing:
                pytest.fail(f"{path.relative_to(site)}: model {missing}, shown by view {model_id}, "
                            "is not in a state script before the view")
        for script in STATE.findall(html):
            written += json.loads(script)["state"]
        assert len(written) == len(set(written)), f"{path.relative_to(site)}: a model is written twice"


def _build_copy(copy: Path) -> subprocess.CompletedProcess:
    jb = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(jb), "build", str(copy), "-W", "-n", "--keep-going"], cwd=copy,
                          env={**os.environ, "PEACEOPS_ROOT": str(copy)}, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built_copy(tmp_path_factory) -> Path:
    """A copy of the course in another folder, built clean (strict)."""
    copy = tmp_path_factory.mktemp("second-build") / "course"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "_build", "drafts",
                                                              "__pycache__", ".pytest_cache", "test-results", "benchmarks"))
    result = _build_copy(copy)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return copy


@pytest.mark.xdist_group("second-build")
def test_two_clean_builds_give_byte_identical_html(site, built_copy):
    """A second clean build, of a copy of the course in another folder, writes the same bytes
    into every page as this run's build: chapters (directives) and workbooks (executed) alike."""
    other = built_copy / "_build" / "html"
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(other) for p in other.rglob("*.html"))
    different = [str(p) for p in pages if (site / p).read_bytes() != (other / p).read_bytes()]
    assert not different, f"{len(different)} pages differ between two builds of the same input: {different[:10]}"
    assert any(VIEW.search((site / p).read_text(encoding="utf-8")) for p in pages if str(p).startswith("notebooks/"))


@pytest.mark.xdist_group("second-build")
def test_an_edited_quiz_rebuilds_the_pages_that_show_it_and_runs_only_its_workbook(built_copy):
    """An author edits one option's feedback in chapter 5's quiz: the rebuild reads the book pages
    that show chapter 5's questions (its chapter, the progress page, the final assessment, the
    certificate and the knowledge checks, all without a kernel) and runs chapter 5's workbook
    alone; the class-results notebook (stored outputs) and the other chapters are left as they
    were, and the new feedback is on the chapter page."""
    import yaml
    path = built_copy / "data" / "quizzes" / "ch05.yml"
    quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
    quiz["questions"][0]["options"][0]["feedback"] += " An author's edit, read again."
    path.write_text(yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    result = _build_copy(built_copy)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    read = set(re.findall(r"reading sources\.\.\.\s*(?:\x1b\[[0-9;]*m)*\[\s*\d+%\]\s*(?:\x1b\[[0-9;]*m)*(\S+?)(?:\x1b|\s|$)", log))
    assert read == {"book/ch05-aligning-mandates-resources", "book/progress", "book/exam", "book/certificate",
                    "book/check-before", "book/check-after", "notebooks/ch05-workbook"}, read
    executed = re.findall(r"(\S+\.ipynb): Executed notebook", log) + re.findall(r"\[peaceops\] executing (\d+) pages", log)
    assert [Path(p).name for p in executed] == ["ch05-workbook.ipynb"], executed
    page = next((built_copy / "_build" / "html" / "book").glob("ch05-*.html")).read_text(encoding="utf-8")
    assert "An author" in page and "edit, read again." in page


def _notebook_site(tmp_path: Path, cells: dict[str, str]) -> subprocess.CompletedProcess:
    """Build (strict) a small site of notebooks, one per entry of `cells` (name: its one code
    cell), plus a text page, with execution as the course's build does it."""
    src = tmp_path / "src"
    src.mkdir()
    for name, code in cells.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {name}"),
                                             nbformat.v4.new_code_cell(code)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, src / f"{name}.ipynb")
    (src / "index.md").write_text("# Index\n\n```{toctree}\n" + "\n".join(cells) + "\n```\n", encoding="utf-8")
    (src / "conf.py").write_text("extensions = ['myst_nb', 'peaceops.sphinxext']\nnb_execution_mode = 'cache'\n"
                                 "nb_execution_raise_on_error = True\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", str(src), str(tmp_path / "html")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_notebooks_run_in_the_background_and_their_outputs_reach_the_pages(tmp_path):
    build = _notebook_site(tmp_path, {"alpha": "print('alpha ran', 6 * 7)", "beta": "print('beta ran', 6 * 9)"})
    assert build.returncode == 0, build.stdout + build.stderr
    assert "[peaceops] executed 2 pages" in build.stdout, build.stdout
    assert "alpha ran 42" in (tmp_path / "html" / "alpha.html").read_text(encoding="utf-8")
    assert "beta ran 54" in (tmp_path / "html" / "beta.html").read_text(encoding="utf-8")


def test_a_notebook_that_fails_in_the_background_still_fails_the_build(tmp_path):
    """A page whose run failed is not cached: myst-nb runs it again as it reads it, and the
    error reaches the author the usual way (myst-nb's message, naming the page)."""
    build = _notebook_site(tmp_path, {"fine": "print('fine')",
                                      "broken": "raise ValueError('the cell that fails')"})
    log = build.stdout + build.stderr
    assert build.returncode != 0, log
    assert "broken.ipynb:Executing notebook failed: CellExecutionError" in log, log


@pytest.mark.xdist_group("second-build")
def test_make_serve_rebuilds_a_saved_page_and_reports_a_broken_one(built_copy):
    """`make serve` (tools/serve.py --watch): an author saves a chapter and, on reload, the served
    page has the new sentence; a broken quiz file is reported by name with its fix, and the page
    is still served; fixing it rebuilds. Stopping the server stops the watcher too."""
    import queue
    import signal
    import threading
    import urllib.request
    server = subprocess.Popen([sys.executable, str(ROOT / "tools" / "serve.py"), str(built_copy / "_build" / "html"),
                               "--port", "0", "--quiet", "--watch", str(built_copy)],
                              cwd=built_copy, env={**os.environ, "PEACEOPS_ROOT": str(built_copy)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    said: list[str] = []
    watcher = None

    def wait_for(pattern: str, seconds: float) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            said.append(line)
            if found := re.search(pattern, line):
                return found
        pytest.fail(f"no line matching {pattern!r} within {seconds} s; the server said:\n{''.join(said)[-3000:]}")

    def page(name: str) -> tuple[int, str]:
        with urllib.request.urlopen(f"{base}book/{name}", timeout=10) as response:
            return response.status, response.read().decode("utf-8")

    try:
        base = wait_for(r"The course is at\s+(http://127\.0\.0\.1:\d+/)", 30).group(1)
        watcher = int(wait_for(r"\[watch\] rebuilding the book when a source is saved \(process (\d+)\)", 60).group(1))
        chapter = next((built_copy / "book").glob("ch02-*.md"))
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence saved while the book was served.\n",
                           encoding="utf-8")
        wait_for(r"\[watch\] book/ch02-\S+\.md saved: rebuilt in", 120)
        assert "A sentence saved while the book was served." in page(chapter.with_suffix(".html").name)[1]

        quiz = built_copy / "data" / "quizzes" / "ch03.yml"
        good = quiz.read_text(encoding="utf-8")
        quiz.write_text(good + "\n  - broken: [never closed\n", encoding="utf-8")
        wait_for(r"\[watch\] data/quizzes/ch03\.yml saved: the build FAILED", 120)
        wait_for(r"data/quizzes/ch03\.yml: is not valid YAML at line \d+.*Fix:", 10)
        ch03 = next((built_copy / "book").glob("ch03-*.md")).with_suffix(".html").name
        assert page(ch03)[0] == 200, "the last good build is still served"
        quiz.write_text(good, encoding="utf-8")
        wait_for(r"\[watch\] data/quizzes/ch03\.yml saved: rebuilt in", 120)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert watcher is not None
    for _ in range(40):   # the watcher (and any rebuild) went with the server
        try:
            os.kill(watcher, 0)
        except ProcessLookupError:
            break
        time.sleep(0.25)
    else:
        pytest.fail(f"the watcher (process {watcher}) outlived the server")
