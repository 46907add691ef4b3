#!/usr/bin/env python3
"""Rebuild the book each time one of its sources is saved (`make serve` runs this beside the
server, tools/serve.py --watch).

    .venv/bin/python tools/watch.py [COURSE]   (the course folder; default: this one)

Each rebuild is the build `make build` runs (jupyter-book, strict, only what changed). Run as a
command, jupyter-book first spends about 0.8 s importing Sphinx, myst-nb and the theme: half of
a rebuild that changes nothing, a third of one after a prose edit. This process imports them
once and runs each rebuild in a forked copy of itself, which starts with them loaded (measured on
2 cores: no change 1.6 s -> 0.55 s, a prose edit 2.4 s -> 1.2 s). A saved Python file of the
course (the Sphinx extension, the widgets) is not what was imported: the watcher then starts
itself again and rebuilds. Where there is no fork (Windows), each rebuild is the command.

It looks at the sources five times a second, and rebuilds once a burst of saves has settled. A
rebuild that fails says so, with the build's errors (the whole log is in _build/watch.log); the
server keeps serving what was built, and the next save tries again.
"""
from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

# What the book is built from (see _config.yml and _toc.yml); everything else is left alone.
SOURCES = ["_config.yml", "_toc.yml", "references.bib", "book", "data", "notebooks", "figures", "_assets",
           "_templates", "peaceops"]
SKIPPED = {"__pycache__", ".ipynb_checkpoints"}
POLL = 0.2       # seconds between looks at the sources (a look at 160 files takes 3 ms)
SETTLE = 0.1     # a burst of saves is over when nothing changed for this long
FLAGS = ["-W", "-n", "--keep-going"]   # as `make build`
LOG = Path("_build") / "watch.log"
# What every build imports: loaded once here, so a forked rebuild starts with them.
TOOLCHAIN = ["jupyter_book.cli.main", "sphinx.application", "sphinx.builders.html", "sphinx.search.en", "myst_nb",
             "myst_nb.sphinx_ext", "pydata_sphinx_theme", "sphinx_book_theme", "sphinxcontrib.bibtex",
             "sphinx_design", "sphinx_copybutton", "sphinx_togglebutton", "sphinx_thebe", "sphinx_comments",
             "sphinx_external_toc", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering", "jupyter_cache",
             "nbclient", "ipywidgets", "anywidget", "tinycss2", "fontTools.subset", "peaceops.sphinxext",
             "peaceops.sphinx_styles", "peaceops.sphinx_widgets", "peaceops.sphinx_reading", "peaceops.widgets"]


def snapshot(course: Path) -> dict[str, tuple[int, int]]:
    """Every source file with its modification time and size."""
    found = {}
    for name in SOURCES:
        path = course / name
        if path.is_file():
            found[name] = (path.stat().st_mtime_ns, path.stat().st_size)
        elif path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
                for file in files:
                    p = Path(folder, file)
                    try:
                        stat = p.stat()
                    except FileNotFoundError:   # removed while we looked
                        continue
                    found[p.relative_to(course).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def load_toolchain():
    for name in TOOLCHAIN:
        try:
            importlib.import_module(name)
        except ImportError:   # an optional extension the book does not use
            pass


def build(course: Path) -> int:
    """One rebuild, its output in LOG; returns its exit code."""
    log = course / LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    command = ["build", str(course), *FLAGS]
    if not hasattr(os, "fork"):
        with log.open("w", encoding="utf-8") as out:
            jb = Path(sys.executable).with_name("jupyter-book")
            return subprocess.run([str(jb), *command], cwd=course, stdout=out, stderr=subprocess.STDOUT).returncode
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:   # the rebuild: the toolchain is already loaded
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(course)
            from jupyter_book.cli.main import main
            try:
                main(command, standalone_mode=False)
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
        except BaseException:   # noqa: BLE001  (reported in the log; the watcher carries on)
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def report(course: Path, code: int, seconds: float, changed: list[str]):
    what = changed[0] + (f" and {len(changed) - 1} more" if len(changed) > 1 else "")
    if code == 0:
        print(f"[watch] {what} saved: rebuilt in {seconds:.1f} s", flush=True)
        return
    text = re.sub(r"\x1b\[[0-9;]*m", "", (course / LOG).read_text(encoding="utf-8", errors="replace"))   # colours
    lines = text.splitlines()
    problems = [line for line in lines if "ERROR" in line or "WARNING" in line or "Error:" in line][:12]
    print(f"[watch] {what} saved: the build FAILED after {seconds:.1f} s; the site still shows the last "
          f"build. What the build said:", flush=True)
    for line in problems or lines[-12:]:
        print("    " + line, flush=True)
    print(f"[watch] the whole log: {course / LOG}. Fix the file and save it again.", flush=True)


def main() -> int:
    course = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    rebuild_now = "--rebuild" in sys.argv[2:]
    os.environ.setdefault("PEACEOPS_ROOT", str(course))
    sys.path.insert(0, str(course))   # the course's own package, as the build imports it
    parent = os.getppid()
    seen = snapshot(course)
    load_toolchain()
    print(f"[watch] rebuilding the book when a source is saved (process {os.getpid()})", flush=True)
    changed = ["Python code"] if rebuild_now else []
    try:
        while True:
            if changed:
                start = time.perf_counter()
                code = build(course)
                report(course, code, time.perf_counter() - start, changed)
            time.sleep(POLL)
            if os.getppid() != parent:   # the server has gone: so does its watcher
                return 0
            now = snapshot(course)
            changed = changes(seen, now)
            while changed:   # wait for a burst of saves to settle
                time.sleep(SETTLE)
                later = snapshot(course)
                if later == now:
                    break
                now = later
            changed = changes(seen, now)
            seen = now
            if any(name.endswith(".py") for name in changed):
                print(f"[watch] {', '.join(n for n in changed if n.endswith('.py'))} saved: starting again "
                      "with the new code", flush=True)
                os.execv(sys.executable, [sys.executable, __file__, str(course), "--rebuild"])
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
