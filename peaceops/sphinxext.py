"""Sphinx extension: the {chapter-card} directive shows a chapter's estimated time and
learning objectives from data/chapters.yml, so they are written once and the progress
page, the quizzes and the tests read the same list."""
from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging as sphinx_logging
from sphinx.util.docutils import SphinxDirective

from . import data


class ChapterCard(SphinxDirective):
    required_arguments = 1  # the chapter id, e.g. ch01

    def run(self):
        chapter = data.chapter(self.arguments[0])
        self.env.note_dependency(str(data.course_root() / "data" / "chapters.yml"))
        card = nodes.admonition(classes=["po-chapter-card", "tip"])
        card += nodes.title(text="Learning objectives")
        card += nodes.paragraph(text=f"Estimated time: about {chapter['minutes']} minutes, with the activities and the quiz. "
                                     "By the end of this chapter you will be able to:")
        items = nodes.bullet_list()
        for objective in chapter["objectives"]:
            item = nodes.list_item(ids=[objective["id"]])
            item += nodes.paragraph(text=objective["text"])
            items += item
        card += items
        # The workbook is not on the reading path (_toc.yml); this link is how a learner who
        # wants code finds it. A link, not a path, so the strict build checks it.
        workbook = f"notebooks/{chapter['id']}-workbook"
        hub = self.config.peaceops_hub
        if hub and (data.course_root() / f"{workbook}.ipynb").is_file():  # built for a class hub
            link = nodes.reference("", "", nodes.inline(text="Run this chapter in Jupyter"),
                                   refuri=hub_launch_url(hub, f"{workbook}.ipynb"))
            card += nodes.paragraph("", "", link, nodes.Text(": opens the chapter's workbook in your own server "
                                                             "on the class's JupyterHub."),
                                    classes=["po-workbook-link"])
        elif (data.course_root() / f"{workbook}.ipynb").is_file():
            link = addnodes.pending_xref("", nodes.inline(text="Run this chapter in Jupyter"), refdomain="std",
                                         reftype="doc", reftarget=f"/{workbook}", refexplicit=True,
                                         refwarn=True, refdoc=self.env.docname)
            card += nodes.paragraph("", "", link, nodes.Text(": the same activities and quiz in a notebook, "
                                                             "for those who want to work with the code."),
                                    classes=["po-workbook-link"])
        return [card]


def _table(header: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    """A docutils table of plain-text cells (text is never parsed as markup)."""
    table = nodes.table(classes=["po-answer-key"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group.extend(nodes.colspec(colwidth=w) for w in widths)

    def row(cells):
        r = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=cell)
            r += entry
        return r
    group += nodes.thead("", row(header))
    group += nodes.tbody("", *[row(cells) for cells in rows])
    return table


CHECK_PREFIX = "knowledge-check-"  # {answer-key} knowledge-check-A: the key to a form of the check


def _check_form(directive: SphinxDirective, form: str) -> list[dict]:
    """The questions of one form of the knowledge check, noting the files it depends on."""
    root = data.course_root() / "data"
    directive.env.note_dependency(str(root / "knowledge-check.yml"))
    for path in (root / "quizzes").glob("*.yml"):
        directive.env.note_dependency(str(path))
    forms = data.load_knowledge_check()["forms"]
    if form not in forms:
        raise directive.error(f"knowledge check: there is no form '{form}'. Fix: name one of {', '.join(forms)}.")
    return forms[form]


class AnswerKey(SphinxDirective):
    """{answer-key} chNN: the quiz's answer key for facilitators, drawn from data/quizzes/chNN.yml
    so it can never disagree with the quiz: each question, its correct options (by the option ids
    that printed quizzes and slides show as letters) and the feedback those options give.
    {answer-key} knowledge-check-A: the same for a form of the knowledge check, numbered as the
    printed form ({knowledge-check-form})."""
    required_arguments = 1

    def run(self):
        key = self.arguments[0]
        if key.startswith(CHECK_PREFIX):
            questions = _check_form(self, key[len(CHECK_PREFIX):])
            names = [f"{n}. ({q['id']})" for n, q in enumerate(questions, start=1)]
        else:
            self.env.note_dependency(str(data.course_root() / "data" / "quizzes" / f"{key}.yml"))
            questions = data.load_quiz(key)["questions"]
            names = [q["id"] for q in questions]
        rows = []
        for name, q in zip(names, questions):
            right = [o for o in q["options"] if o["correct"]]
            rows.append([name, "; ".join(f"{o['id']}) {o['text']}" for o in right),
                         " ".join(o["feedback"] for o in right)])
        return [_table(["Question", "Correct", "Why"], rows, [12, 40, 48])]


class DataTable(SphinxDirective):
    """{data-table} name with `:columns: a, b, c`: data/<name>.csv as a plain table of those
    columns, checked by the same loader as everywhere (every row sourced), written at build
    time, so the page needs no code cell and no kernel. The sources are listed in the bibliography."""
    required_arguments = 1
    option_spec = {"columns": lambda text: [c.strip() for c in text.split(",") if c.strip()]}

    def run(self):
        name, columns = self.arguments[0], self.options.get("columns")
        if not columns:
            raise self.error(f"{{data-table}} {name}: add `:columns:` naming the columns to show, e.g. `:columns: order, event`")
        self.env.note_dependency(str(data.course_root() / "data" / f"{name}.csv"))
        try:
            _, records = data.read_table(name, columns)
        except data.DataError as exc:
            raise self.error(f"{{data-table}} {name}: {exc}") from None
        rows = [[str(row[c]) for c in columns] for row in records]
        return [_table([c.capitalize() for c in columns], rows, [1] * len(columns))]


class KnowledgeCheckForm(SphinxDirective):
    """{knowledge-check-form} A: a form of the pre/post knowledge check (data/knowledge-check.yml)
    to print and hand out: numbered questions, options in the bank's order lettered by their ids,
    as the answer key ({answer-key} knowledge-check-A) names them. Text only, never markup."""
    required_arguments = 1

    def run(self):
        form = self.arguments[0]
        questions = _check_form(self, form)
        sheet = nodes.container(classes=["po-check-form"])
        sheet += nodes.paragraph("", "", nodes.strong(text=f"Knowledge check · Form {form}"),
                                 nodes.Text(f" ({len(questions)} questions)"))
        sheet += nodes.paragraph(text="Name or number: ____________________   Date: ____________   "
                                      "☐ before the course   ☐ after the course")
        sheet += nodes.paragraph(text="Tick one box per question, or every box that applies where the question says "
                                      "\"Tick all that apply\". There is no pass mark.")
        items = nodes.enumerated_list(classes=["po-check-questions"])
        for q in questions:
            item = nodes.list_item(classes=["po-check-question"])
            item += nodes.paragraph(text=" ".join(q["prompt"].split()) + (" (Tick all that apply.)" if q["type"] == "multiple" else ""))
            for o in q["options"]:  # lettered as in the key; True and False need no letter
                letter = "" if q["type"] == "truefalse" else f"{o['id']}) "
                item += nodes.paragraph(text=f"☐ {letter}{' '.join(o['text'].split())}", classes=["po-check-option"])
            items += item
        sheet += items
        return [sheet]


def drop_thebe_scripts(app, pagename, templatename, context, doctree):
    """Jupyter Book always loads sphinx-thebe, which writes its config script twice (a page error:
    "Identifier 'THEBE_JS_URL' has already been declared") and points at a CDN. The course has no
    live-code launch buttons, so its pages need none of those scripts."""
    scripts = context.get("script_files")
    if scripts is not None:  # the builder's own list: filter it in place
        scripts[:] = [s for s in scripts
                      if "thebe" not in (str(s) + str(getattr(s, "attributes", {}).get("body", ""))).lower()]
    context["css_files"] = [c for c in context.get("css_files", []) if "thebe" not in str(c)]


PACKAGE_SUFFIXES = {".py", ".js", ".css", ".yml"}
STAMP = "peaceops-inputs.json"
SITE_FILES_KEY = "(static files and templates)"  # in the stamp, beside the pages' digests


def _hash_files(paths) -> str:
    digest = hashlib.sha256()
    root = data.course_root().resolve()
    for path in sorted(set(paths)):
        if path.is_file():
            digest.update(path.resolve().relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _code_of(path: Path) -> str:
    """The code cells of a page (a MyST notebook or an .ipynb) that the build runs, joined; empty
    for a text page, and for a notebook shown with its stored outputs (`mystnb: execution_mode:
    off` in its metadata, as the class-results notebook): no data change alters what it shows."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        notebook = json.loads(text)
        if notebook.get("metadata", {}).get("mystnb", {}).get("execution_mode") == "off":
            return ""
        return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    return "\n".join(re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, flags=re.M | re.S))


def data_files_used(source: str) -> set[Path]:
    """The data files a page's code draws on, read from the calls in it. Errs on the side of
    including more (a changed file it names re-runs the page)."""
    root = data.course_root() / "data"
    q = "[\"']"  # either quote
    files = {root / "chapters.yml", data.course_root() / "references.bib"}
    files |= {root / "quizzes" / f"{c}.yml" for c in re.findall(rf"(?:Quiz|quiz_table)\({q}(ch\d\d){q}", source)}
    for activity in re.findall(rf"Activity\({q}([a-z0-9-]+){q}", source):
        files |= {root / "activities" / f"{activity}.yml", root / "spectrum.yml"}
    if "Evaluation(" in source:
        files.add(root / "evaluation.yml")
    if "SpectrumExplorer(" in source:
        files.add(root / "spectrum.yml")
    if re.search(r"Progress\(|Exam\(|KnowledgeCheck\(|results\.", source):  # these read every quiz
        files |= set((root / "quizzes").glob("*.yml")) | {root / "exam.yml", root / "knowledge-check.yml"}
    files |= {root / f"{name}.csv" for name in re.findall(rf"load_table\({q}(\w+){q}", source)}
    return files


def refresh_when_inputs_change(app, env, added, changed, removed):
    """jupyter-cache keys an executed page on its code alone, so an edited quiz file or widget
    module would leave stale widgets in the book. For every page with code, this digests the
    package and the data files the page uses; a page whose digest changed since the last build
    loses its cached execution and is read again. Other pages keep theirs."""
    cache_dir = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache_dir.parent / STAMP
    package = _hash_files(p for p in (data.course_root() / "peaceops").rglob("*") if p.suffix in PACKAGE_SUFFIXES)
    digests = {}
    for docname in env.found_docs:
        code = _code_of(Path(env.doc2path(docname)))
        if code:
            digests[docname] = package + _hash_files(data_files_used(code))
    # Sphinx copies static files and templates only when some page is rewritten, and every page
    # names its style sheets and scripts with a digest: an edited course.css or template would
    # not reach the site. So when they change, or the extension that writes the pages, every page
    # is rewritten (not re-executed).
    # (The course's own folders only: the theme adds its installed template folders to the list.)
    root = data.course_root().resolve()
    folders = [(Path(app.confdir) / f).resolve() for f in [*app.config.html_static_path, *app.config.templates_path]]
    site_files = [p for folder in folders if folder.is_relative_to(root) for p in folder.rglob("*") if p.is_file()]
    site_files += sorted((root / "peaceops").glob("sphinx*.py"))   # this extension writes every page too
    previous = json.loads(stamp.read_text()) if stamp.is_file() else None
    rewrite = set()
    if previous is None:  # no record of what the cache was built from: trust none of it
        stale = set(digests)
        if cache_dir.is_dir():
            shutil.rmtree(cache_dir)
    else:
        stale = {d for d, h in digests.items() if previous.get(d) != h}
        if previous.get(SITE_FILES_KEY) != _hash_files(site_files):
            rewrite = set(env.found_docs)
        if stale and cache_dir.is_dir():
            from jupyter_cache import get_cache
            cache = get_cache(cache_dir)
            paths = {str(Path(env.doc2path(d))) for d in stale}
            for record in cache.list_cache_records():
                if record.uri in paths:
                    cache.remove_cache(record.pk)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({**digests, SITE_FILES_KEY: _hash_files(site_files)}, indent=0, sort_keys=True))
    return sorted(stale | rewrite)


def _execute_page(path: str, notebook, timeout, allow_errors):
    """Run one page in a worker process: myst-nb's own call (NotebookClientCache), with the
    page's folder as the working directory. Returns the executed notebook, or None if it failed.

    The kernel talks to its client over Unix sockets in a folder of its own, not TCP: kernels
    started at the same moment by the two workers could pick the same free TCP port, and one
    then failed to start ("Address already in use") or wrote another's messages to stderr
    ("DELIM not in msg_list"), which failed the build; both were seen on 2 cores. It is stopped
    at once when its last cell has run (0.2-0.5 s less per page than waiting for it to exit)."""
    import tempfile

    from jupyter_cache.executors.utils import single_nb_execution
    from traitlets.config import Config
    try:
        with tempfile.TemporaryDirectory(prefix="peaceops-kernel-") as sockets:
            config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
            result = single_nb_execution(notebook, cwd=str(Path(path).parent), allow_errors=allow_errors,
                                         timeout=timeout, meta_override=True, config=config,
                                         shutdown_kernel="immediate")
    except Exception:  # e.g. no kernel: myst-nb will meet the same problem and explain it
        return None, 0.0
    return (None if result.err is not None else notebook), result.time


class BackgroundExecution:
    """Pages running in kernels while Sphinx reads the others: (pool, {docname: (path, read
    format, future)}, start time, pages started); one build at a time per process."""
    pool = None
    running: dict = {}
    started = 0.0
    count = 0
    failed = 0


def execute_pages_in_parallel(app, env, docnames):
    """myst-nb executes pages one at a time, as Sphinx reads them, and the build waits for each.
    Before reading starts, this starts every page that will be read and has no cached execution
    on as many kernels as there are cores, in the background: Sphinx reads the pages that need
    no kernel (every book page) meanwhile, and waits for a page's run only when it comes to read
    that page (`wait_for_execution`). Each run is stored in jupyter-cache exactly as myst-nb would
    store it (same reader, same execution call, same cache record), so myst-nb then finds the
    page cached. A page that fails here is simply not cached: myst-nb runs it again and reports
    the error the usual way, so this changes how fast a build is, never what it produces."""
    config = env.mystnb_config
    if config.execution_mode != "cache" or not docnames:
        return
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(config.execution_cache_path or ".jupyter_cache")
    pending = []  # (docname, path, notebook, read format)
    for docname in sorted(docnames):
        path = Path(env.doc2path(docname))
        if path.suffix not in {".md", ".ipynb"} or not _code_of(path):
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        if notebook.metadata.get(config.metadata_key, {}).get("execution_mode", "cache") != "cache":
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:  # not cached: run it now
            pending.append((docname, path, notebook, reader.read_fmt))
    if len(pending) < 2:  # nothing to gain: let myst-nb run it as usual
        return

    # PEACEOPS_KERNELS=1 runs one page at a time (to compare, or on a busy machine)
    workers = min(len(pending), int(os.environ.get("PEACEOPS_KERNELS") or os.cpu_count() or 1))
    sphinx_logging.getLogger(__name__).info(f"[peaceops] executing {len(pending)} pages on {workers} kernels at once")
    # Processes, not threads: the client side of a kernel holds the GIL long enough that
    # threads ran no faster than one page at a time (measured: 35 s either way for 25 pages).
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    BackgroundExecution.pool, BackgroundExecution.started = pool, time.perf_counter()
    BackgroundExecution.count, BackgroundExecution.failed = len(pending), 0
    BackgroundExecution.running = {
        docname: (path, read_fmt, pool.submit(_execute_page, str(path), notebook,
                                              config.execution_timeout, config.execution_allow_errors))
        for docname, path, notebook, read_fmt in pending}


def wait_for_execution(app, docname, source):
    """Before Sphinx reads a page started by execute_pages_in_parallel: wait for its run and
    store it in the cache, where myst-nb will find it."""
    entry = BackgroundExecution.running.pop(docname, None)
    if entry is None:
        return
    path, read_fmt, future = entry
    notebook, seconds = future.result()
    BackgroundExecution.failed += notebook is None
    if notebook is not None:  # a failed page is not stored: myst-nb runs it again and reports the error
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn
        cache = get_cache(app.env.mystnb_config.execution_cache_path or ".jupyter_cache")
        record = cache.add_nb_to_project(str(path), read_data=read_fmt) if read_fmt else cache.add_nb_to_project(str(path))
        cache.cache_notebook_bundle(CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
    if not BackgroundExecution.running:
        stop_background_execution(app, None)
        sphinx_logging.getLogger(__name__).info(
            f"[peaceops] executed {BackgroundExecution.count - BackgroundExecution.failed} pages; the last "
            f"finished {time.perf_counter() - BackgroundExecution.started:.1f} s after the first started"
            + (f"; {BackgroundExecution.failed} failed and will run again as they are read"
               if BackgroundExecution.failed else ""))


def stop_background_execution(app, exception):
    """The pool ends with the reading; if the build stopped before (an error), its kernels too."""
    pool, BackgroundExecution.pool, BackgroundExecution.running = BackgroundExecution.pool, None, {}
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


# Runs where it stands: inline scripts in the page head assign to DOCUMENTATION_OPTIONS at once.
# (The theme's search scripts, written into its template, are deferred by _templates/layout.html:
# they call doctools' _ready as they load, so they must stay after doctools.js.)
RUN_AT_ONCE = {"documentation_options.js"}


def defer_theme_scripts(app, pagename, templatename, context, doctree):
    """The theme and its extensions load their scripts in the page head without `defer`, so the
    browser stops drawing the page until each has arrived and run (Lighthouse: render-blocking
    resources). Every one of them waits for the page to be parsed before it acts, and
    deferred scripts still run in document order, so they are deferred."""
    if pagename == "search":  # its template loads the search scripts at once; they need doctools.js first
        return
    scripts = context.get("script_files")
    if not scripts:
        return
    deferred = []
    for script in scripts:
        attributes = getattr(script, "attributes", None)
        if (attributes is not None and str(script.filename).endswith(".js")
                and Path(str(script.filename)).name not in RUN_AT_ONCE and "async" not in attributes):
            # a new one: the builder shares these objects between pages, and the search page
            # (left alone, above) must keep doctools.js running at once
            script = type(script)(script.filename, priority=script.priority, **{**attributes, "defer": "defer"})
        deferred.append(script)
    # (The widget host is not among them: it is written into each widget page, inline_widget_host.)
    context["script_files"] = deferred


WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
# In JSON, '<', '>' and '&' can only stand inside strings, where these escapes mean the same
# characters: JSON.parse (static-widgets.js) reads the state unchanged.
HTML_SAFE_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def escape_widget_state(app, pagename, templatename, context, doctree):
    """myst-nb writes each page's widget state (every text of its quizzes and activities) into a
    <script> element, and guards only the exact string "</script>": "</SCRIPT >" or "<!--<script>"
    in a text would end the element early and turn the rest of the state into markup. With every
    '<', '>' and '&' written as a JSON escape, no text can end or change the element. (The data
    loaders refuse '<' in texts too; this guards whatever else reaches a widget's state.)"""
    scripts = context.get("script_files")
    for i, script in enumerate(scripts or []):
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") == WIDGET_STATE_TYPE and attributes.get("body"):
            body = attributes["body"]
            if not from_directives(app.env, pagename):
                body = stable_model_ids(pagename, body, context)
            if "body" in context:
                del scripts[i]
                context["body"] = state_beside_views(context["body"], json.loads(body))
            else:  # a new object: the builder's script objects are immutable and shared between pages
                scripts[i] = type(script)(script.filename, priority=script.priority,
                                          **{**attributes, "body": body.translate(HTML_SAFE_JSON)})
            break


WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)


def state_script(saved: dict, models: dict) -> str:
    """A widget-state script (the format JupyterLab, Voila and the html-manager read; a page may
    hold several) with these models, escaped (HTML_SAFE_JSON)."""
    body = json.dumps({**saved, "state": models}, sort_keys=True).translate(HTML_SAFE_JSON)
    return f'<script type="{WIDGET_STATE_TYPE}">{body}</script>'


# A widget's module and CSS, written once per page (shared_widget_code) and named in its state
# by this prefix and the digest of the text (static-widgets.js reads both).
SHARED = "peaceops-shared:"
SHARED_TRAITS = ("_esm", "_css")
EXPORT_DEFAULT = re.compile(r"^export default (.+);[ \t]*$", re.M)
NAMED_EXPORTS = re.compile(r"^export \{[^}]*\};[ \t]*$", re.M)


def could_end_script(text: str) -> bool:
    """Whether text written into a <script> element could end it, or start a comment state."""
    return re.search(r"</script|<!--", text, re.I) is not None


def shared_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def module_as_function(esm: str) -> str | None:
    """A course widget's ES module (peaceops/widgets.py: helpers and widget code, no imports,
    `export default {...};` on a line of its own) as the text of a function returning its
    default export: a classic script the browser runs while it parses the page, where an ES
    module (even inline) would run only after the page's first layout (about 0.15 s later on
    chapter 1). None if the module is not of that simple form, or could end its script element:
    the page then keeps the module in the state, and the host imports it. (Any `await` counts as
    not simple: a top-level one would be a syntax error in a function, and the one script that
    registers a page's modules would fail for every widget on it.)"""
    defaults = EXPORT_DEFAULT.findall(esm)
    body = NAMED_EXPORTS.sub("", EXPORT_DEFAULT.sub("", esm))
    if (len(defaults) != 1 or re.search(r"^\s*(import|export)\b|\bimport\s*[.(]|\bawait\b", body, re.M)
            or could_end_script(esm)):
        return None
    return f'function () {{\n"use strict";\n{body}\nreturn ({defaults[0]});\n}}'


def shared_widget_code(state: dict) -> tuple[dict, dict]:
    """Each anywidget model carries its whole module (with the common helpers) and the course's
    CSS: on chapter 1, four copies of the CSS and of the helpers, 60 kB of the page. Here each
    text is taken out of the models, which name it instead (SHARED + digest of the text).
    Returns ({digest: the module as a function, or the CSS as a JSON string}, the models)."""
    shared, out = {}, {}
    for model_id, model in state.items():
        if model.get("model_module") != "anywidget":
            out[model_id] = model
            continue
        traits = dict(model.get("state", {}))
        for trait in SHARED_TRAITS:
            text = traits.get(trait)
            if not isinstance(text, str) or not text or text.startswith(SHARED):
                continue
            value = module_as_function(text) if trait == "_esm" else json.dumps(text).translate(HTML_SAFE_JSON)
            if value is None:
                continue   # stays in the state
            key = shared_key(text)
            shared[key] = value
            traits[trait] = SHARED + key
        out[model_id] = {**model, "state": traits}
    return shared, out


def shared_entry(key: str, value: str) -> str:
    return f'"{key}": {value}'


def shared_script(shared: dict) -> str:
    """One script registering every shared text in window.peaceopsShared, written once per page
    before its first widget. One script, not one per widget: the browser may pause parsing, and
    lay out what it has, after each script it runs."""
    if not shared:
        return ""
    entries = ",\n".join(shared_entry(key, value) for key, value in sorted(shared.items()))
    return f"<script>Object.assign(window.peaceopsShared = window.peaceopsShared || {{}}, {{\n{entries}\n}});</script>"


def state_beside_views(html: str, saved: dict) -> str:
    """The page's widget state (190 kB on chapter 1: each widget's module, CSS and texts), split:
    each widget's models (its own and those it refers to, such as its layout) in a state script
    just before its view, so static-widgets.js shows each widget as soon as the browser has
    parsed it, without reading the rest of the page or the other widgets' state first. Models no
    view uses stay in one script at the end. Modules and CSS are written once, before the first
    widget (shared_widget_code). The same input gives the same bytes."""
    shared_code, state = shared_widget_code(saved["state"])
    shared = shared_script(shared_code)
    placed: set[str] = set()

    def models_of(model_id: str, found: list):
        if model_id in state and model_id not in found:
            found.append(model_id)
            for ref in re.findall(r'"IPY_MODEL_([^"]+)"', json.dumps(state[model_id].get("state", {}))):
                models_of(ref, found)

    def scripts_for(models: dict) -> str:
        nonlocal shared
        first, shared = shared, ""   # the shared code goes before the first state written
        return first + state_script(saved, models)

    def with_its_state(view):
        try:
            model_id = json.loads(view.group(1)).get("model_id", "")
        except ValueError:
            return view.group(0)
        found: list[str] = []
        models_of(model_id, found)
        mine = {i: state[i] for i in found if i not in placed}
        placed.update(mine)
        return (scripts_for(mine) if mine else "") + view.group(0)

    html = WIDGET_VIEW.sub(with_its_state, html)
    rest = {i: model for i, model in state.items() if i not in placed}
    return html + (f"\n{scripts_for(rest)}\n" if rest else "")


def inline_widget_host(app, pagename, templatename, context, doctree):
    """The widget host (nb_ipywidgets_js, static-widgets.js: 7 kB) written into each widget page
    as a classic script in its head instead of linked: on a busy machine or network a linked
    script waits its turn behind the theme's two dozen files, and no widget can be shown before
    it runs. Inline, it runs at once and shows each widget as the browser parses it (an async
    module would run only after the page's first layout). (An edited host reaches every page: a
    changed static file rewrites them all, see refresh_when_inputs_change.)"""
    scripts = context.get("script_files") or []
    for i, script in enumerate(scripts):
        name = str(getattr(script, "filename", "") or "").removeprefix("_static/")   # as myst-nb adds it
        if name not in app.config.nb_ipywidgets_js:
            continue
        found = [Path(app.confdir, folder, name) for folder in app.config.html_static_path
                 if Path(app.confdir, folder, name).is_file()]
        if not found:
            continue   # not one of the course's own files: linked as configured
        source = found[0].read_text(encoding="utf-8")
        if could_end_script(source):
            raise ValueError(f"{found[0]}: a widget host written into pages must not contain '</script' or '<!--'")
        scripts[i] = type(script)(None, priority=script.priority, body=source)


def from_directives(env, pagename: str) -> bool:
    from myst_nb.sphinx_ import NbMetadataCollector
    return "peaceops_widget_state" in NbMetadataCollector.get_doc_data(env).get(pagename, {})


def stable_model_ids(pagename: str, state_json: str, context: dict) -> str:
    """A kernel names each widget model at random, so an executed notebook (a workbook) would
    differ in every build. Here each model is renamed from where it is: a shown widget from the
    page and its place among the page's views, a model it refers to (its layout) from its own new
    name and the trait, any other from its content; the state is written with sorted keys. So the
    same notebook gives the same page. (Directive-made widgets have such ids from the start:
    sphinx_widgets.stable_id.)"""
    from .sphinx_widgets import stable_id
    saved = json.loads(state_json)
    state = saved["state"]
    body = context.get("body", "")
    views = re.findall(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', body, flags=re.S)
    renamed: dict[str, str] = {}

    def name(old: str, new: str):
        if old in state and old not in renamed:
            renamed[old] = new
            for trait, value in sorted(state[old].get("state", {}).items()):
                for k, ref in enumerate(re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(value))):
                    name(ref, stable_id(new, trait, str(k)))

    for n, view in enumerate(views):
        name(json.loads(view).get("model_id", ""), stable_id(pagename, "view", str(n)))
    for old in sorted(state, key=lambda i: json.dumps(state[i], sort_keys=True)):
        name(old, stable_id(pagename, "unshown", hashlib.sha256(json.dumps(state[old], sort_keys=True).encode()).hexdigest()))
    if not renamed:
        return state_json
    pattern = re.compile("|".join(map(re.escape, sorted(renamed, key=len, reverse=True))))
    swap = lambda text: pattern.sub(lambda m: renamed[m.group(0)], text)  # noqa: E731
    if "body" in context:
        context["body"] = swap(body)
    return json.dumps({**saved, "state": json.loads(swap(json.dumps(state)))}, sort_keys=True)


def fix_citation_roles(app, pagename, templatename, context, doctree):
    """Sphinx 7 marks each bibliography entry role="doc-biblioentry" inside a role="list": the role
    is deprecated in ARIA 1.2 and leaves the list without list items (axe: aria-deprecated-role,
    aria-required-children). A list item is what each entry is."""
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def hub_launch_url(hub: dict, path: str) -> str:
    """nbgitpuller's link to a file of the course, as sphinx-book-theme writes its JupyterHub
    launch button: the hub clones the repository into the learner's home, in a folder named
    after the repository URL's last segment, and opens the file in JupyterLab."""
    from urllib.parse import urlencode
    name = hub["repo"].rstrip("/").rsplit("/", 1)[-1]
    query = urlencode({"repo": hub["repo"], "urlpath": f"lab/tree/{name}/{path}", "branch": hub["branch"]}, safe="/")
    return f"{hub['url'].rstrip('/')}/hub/user-redirect/git-pull?{query}"


def launch_on_the_class_hub(app, config):
    """`make build HUB_URL=… COURSE_REPO=…` (environment PEACEOPS_HUB_URL, PEACEOPS_COURSE_REPO,
    PEACEOPS_COURSE_BRANCH): every notebook page gets the theme's JupyterHub launch button and
    each chapter card's workbook link opens the workbook on the hub. Without them: no such link."""
    url, repo = os.environ.get("PEACEOPS_HUB_URL", "").strip(), os.environ.get("PEACEOPS_COURSE_REPO", "").strip()
    if not (url and repo):
        return
    branch = os.environ.get("PEACEOPS_COURSE_BRANCH", "").strip() or "main"
    config.peaceops_hub = {"url": url, "repo": repo, "branch": branch}
    options = config.html_theme_options
    options["launch_buttons"] = {**options.get("launch_buttons", {}), "jupyterhub_url": url,
                                 "notebook_interface": "jupyterlab"}
    # The theme reads the repository's host as its "provider" and stops the build on a host it
    # does not know (a school's git server, a local path); for the hub link only the URL counts.
    known = next((p for p in ("github", "gitlab", "bitbucket") if p in repo.lower()), "gitlab")
    options.update(repository_url=repo, repository_branch=branch,
                   repository_provider=options.get("repository_provider") or known)


def launch_workbooks_only(app, pagename, templatename, context, doctree):
    """The theme offers its launch button on every page run at build time; on the hub only the
    workbooks are notebooks to work in (a chapter page would open as its Markdown source), and
    a chapter reaches its workbook through its card's link."""
    if app.config.peaceops_hub and not pagename.startswith("notebooks/"):
        context["header_buttons"] = [b for b in context.get("header_buttons", []) if b.get("label") != "launch-buttons"]


def look_up_bibliography_plugins_once():
    """pybtex finds its style plugins by scanning the entry points of every installed package,
    and does so again for each of the ~370 citations a build resolves (sphinxcontrib-bibtex asks
    at every one): measured 3 s of a 22 s clean build here, more with more packages installed.
    No plugin can appear or go during a build, so each lookup is made once."""
    import pybtex.plugin
    if not hasattr(pybtex.plugin._load_entry_point, "cache_info"):
        pybtex.plugin._load_entry_point = functools.lru_cache(maxsize=None)(pybtex.plugin._load_entry_point)


def setup(app):
    look_up_bibliography_plugins_once()
    app.add_config_value("peaceops_hub", {}, "env")
    app.connect("html-page-context", launch_workbooks_only, priority=510)  # after the theme adds it (501)  # a change re-reads every page (the chapter cards)
    app.connect("config-inited", launch_on_the_class_hub)
    app.setup_extension("peaceops.sphinx_reading")  # reading path, timeline, glossary, search
    app.setup_extension("peaceops.sphinx_widgets")  # {quiz}, {activity}, ... : widgets without a kernel
    app.connect("html-page-context", fix_citation_roles)
    app.connect("env-get-outdated", refresh_when_inputs_change)
    app.connect("env-before-read-docs", execute_pages_in_parallel)
    app.connect("source-read", wait_for_execution)
    app.connect("build-finished", stop_background_execution)
    app.add_directive("chapter-card", ChapterCard)
    app.add_directive("answer-key", AnswerKey)
    app.add_directive("data-table", DataTable)
    app.add_directive("knowledge-check-form", KnowledgeCheckForm)
    app.connect("html-page-context", escape_widget_state, priority=800)  # after myst-nb adds the state (500)
    app.connect("html-page-context", inline_widget_host, priority=800)
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    app.connect("html-page-context", defer_theme_scripts, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
