#!/usr/bin/env python3
"""Measure the course as authors, CI and learners meet it, and print tables of medians.

    .venv/bin/python benchmarks/run.py [--repeat N] [--only builds,pages,lighthouse,tests,load]
                                       [--before REV]               (what `make bench` runs)

Every figure is measured twice in the same run, on the same machine: "before" on the course at
--before (default fe8fa44, the last commit whose book pages ran in kernels; exported with
`git archive` into a temporary folder) and "after" on the working tree, and printed in one
table with both columns. --before none measures the working tree only.

Measures, on the real course:
- builds: a clean build (notebooks executed from scratch) on every core; rebuilds after editing
  one chapter's prose, after editing one chapter's quiz data, and with no change, each with the
  number of pages it executed; and the same two edits rebuilt by `make serve`'s watcher
  (tools/watch.py), from saving the file to its "rebuilt" line;
- the whole test suite, as `make test` runs it (both commands);
- the size of the built site;
- per page type, served as `make serve` serves it: bytes transferred on a cold and a warm browser
  cache, and the seconds until the first quiz answer can be clicked (headless Chromium; requests
  to other hosts fail and are listed); the same figure, in turns, for a jupyterquiz page with
  chapter 1's questions (benchmarks/jupyterquiz_page.py, a small Jupyter Book 1 built for the run);
- Lighthouse performance and accessibility scores, and first contentful paint, for one page of
  each type (Lighthouse's default mobile profile: a mid-range phone on a slow 4G connection,
  simulated);
- a classroom load test: --load-clients learners (default 300) at once, each loading the ten
  chapter pages, against tools/serve.py and against `python -m http.server` in the same run, on
  127.0.0.1 only (every request has a timeout, so it stops by itself): success rate and
  p50/p95/p99 latency.

Each figure is the median of --repeat runs (default 3). Builds run on a copy of the course in a
temporary folder, so the working tree is never touched; the test suite runs in the working tree.
Results are also written to _build/bench.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "node_modules", "_build", "drafts", "__pycache__",
                                     ".pytest_cache", "test-results")
CHAPTER = "ch05"   # the chapter the rebuild measures edit
PAGES = {          # one page of each type
    "text page": "book/glossary.html",
    "chapter page (widgets)": "book/ch01-what-integration-means.html",
    "workbook page": "notebooks/ch01-workbook.html",
}
sys.path.insert(0, str(ROOT / "tools"))
from serve import make_server  # noqa: E402  (the server `make serve` uses)
sys.path.insert(0, str(ROOT / "benchmarks"))
import jupyterquiz_page  # noqa: E402  (the comparison page)
JUPYTERQUIZ_ROW = "jupyterquiz page (chapter 1's questions): seconds until a quiz answer can be clicked"


def run(cmd, cwd, env=None) -> tuple[float, str]:
    """Run a command; return (seconds, output). A failure stops the benchmark with its output."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return elapsed, result.stdout + result.stderr


def pages_executed(log: str) -> int:
    """Pages a build executed: those run in parallel before reading, plus any myst-nb ran itself."""
    parallel = sum(int(n) for n in re.findall(r"\[peaceops\] executed (\d+) pages", log))
    return parallel + len(re.findall(r"Executed notebook in", log))


def workbook_seconds(log: str) -> float:
    """Seconds the edited chapter's workbook ran in its kernel, when a rebuild ran it alone
    (myst-nb logs each page it executes itself)."""
    found = re.search(rf"notebooks/{CHAPTER}-workbook\.ipynb: Executed notebook in ([0-9.]+) seconds", log)
    return float(found.group(1)) if found else 0.0


def edit_prose(course: Path):
    page = next((course / "book").glob(f"{CHAPTER}-*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence added for the benchmark.\n", encoding="utf-8")


def edit_quiz(course: Path):
    """Change what a learner reads: one option's feedback in the chapter's quiz."""
    path = course / "data" / "quizzes" / f"{CHAPTER}.yml"
    quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
    quiz["questions"][0]["options"][0]["feedback"] += " (Edited for the benchmark.)"
    path.write_text(yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


REBUILDS = [("rebuild, one chapter's prose edited", edit_prose),
            ("rebuild, one chapter's quiz data edited", edit_quiz),
            ("rebuild, no change", None)]


WATCHED_REBUILDS = [("rebuild in `make serve`, one chapter's prose edited", edit_prose),
                    ("rebuild in `make serve`, one chapter's quiz data edited", edit_quiz)]


def watched_rebuilds(work: Path, env: dict) -> dict[str, tuple[float, float]]:
    """The rebuilds an author waits for with `make serve` running (tools/watch.py, the toolchain
    kept loaded): for each edit, (seconds from saving the file to the watcher's "rebuilt" line,
    seconds its chapter's workbook ran in that rebuild). Bounded: 300 s per rebuild."""
    import queue
    watcher = subprocess.Popen([sys.executable, str(work / "tools" / "watch.py"), str(work)], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True).start()

    def wait_for(pattern: str) -> str:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if "the build FAILED" in line:
                sys.exit(f"bench: a rebuild in the watcher failed: {line}")
            if re.search(pattern, line):
                return line
        sys.exit(f"bench: the watcher said nothing matching {pattern!r} within 300 s")

    out = {}
    try:
        wait_for(r"\[watch\] rebuilding the book")
        for label, edit in WATCHED_REBUILDS:
            start = time.perf_counter()
            edit(work)
            wait_for(r"saved: rebuilt in")
            out[label] = (time.perf_counter() - start,
                          workbook_seconds((work / "_build" / "watch.log").read_text(encoding="utf-8")))
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
    return out


def build_timings(source: Path, repeat: int) -> tuple[dict, dict]:
    """Median seconds and pages executed of a clean build and of each rebuild, on copies of the
    course at `source`; and, where the course has tools/watch.py, the same edits rebuilt by it."""
    seconds: dict[str, list] = {"clean build": []}
    seconds.update({label: [] for label, _ in REBUILDS})
    executed: dict[str, int] = {}
    workbook: dict[str, list] = {label: [] for label in seconds}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "course"
            shutil.copytree(source, work, ignore=COPY_IGNORE)
            env = {**os.environ, "PEACEOPS_ROOT": str(work)}
            build = [str(BIN / "jupyter-book"), "build", str(work), "-W", "-n", "--keep-going"]
            for label, edit in [("clean build", None), *REBUILDS]:
                if edit:
                    edit(work)
                elapsed, log = run(build, work, env)
                seconds[label].append(elapsed)
                executed[label] = pages_executed(log)
                workbook[label].append(workbook_seconds(log))
            if (work / "tools" / "watch.py").is_file():
                for label, (elapsed, ran) in watched_rebuilds(work, env).items():
                    seconds.setdefault(label, []).append(elapsed)
                    workbook.setdefault(label, []).append(ran)
                    executed[label] = int(ran > 0)
    return ({k: statistics.median(v) for k, v in seconds.items()}, executed,
            {k: statistics.median(v) for k, v in workbook.items()})


def test_suite(repeat: int) -> float:
    """`make test`'s two commands, in the working tree (its build included), from a warm setup."""
    runs = []
    for _ in range(repeat):
        a, _ = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "tests"], ROOT)
        b, _ = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                    "--nbval-current-env", "notebooks"], ROOT)
        runs.append(a + b)
    return statistics.median(runs)


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def serve(site: Path):
    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# When a quiz answer can be clicked: a first answer can be chosen and checked, and is on screen.
# The course's quiz: an enabled option and its "Check answer" button; jupyterquiz checks the
# answer a learner clicks (a label with its click handler), so one shown answer is enough.
QUIZ_READY = {
    "course": "() => shown('.po-quiz input[type=radio]:not([disabled])') && shown('.po-quiz button[id$=\"-check\"]:not([disabled])')",
    "jupyterquiz": "() => shown('label.MCButton') && typeof document.querySelector('label.MCButton').onclick === 'function'",
}
# Runs in the page before its own scripts: from the first frame on, it notes (in the page's own
# clock, performance.now(), from the start of the navigation) the first frame in which the quiz
# is ready, so the figure holds no time of the tool that reads it.
WATCH_QUIZ = """(() => {
  const shown = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const ready = READY;
  const check = () => {   // true once the quiz has been seen ready
    if (window.__quizReady !== undefined) return true;
    let yes = false;
    try { yes = ready(); } catch (error) { /* not there yet */ }
    if (yes) window.__quizReady = performance.now();
    return yes;
  };
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  // a loop started this early can be dropped (some pages never ran it): a second starts with the
  // page, and a timer looks every 5 ms as well (Chromium skipped frames for good on 1 visit in 3)
  document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(frame));
  const timer = setInterval(() => { if (check()) clearInterval(timer); }, 5);
})();"""
# Requests to any host but this machine fail at once (no DNS), and are counted.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


QUIZ_GIVE_UP = 15  # seconds


def seconds_until_quiz(browser, url: str, kind: str) -> tuple[float | None, list[str]]:
    """One cold visit: seconds until the quiz can be clicked (None: not within QUIZ_GIVE_UP),
    and the requests beyond 127.0.0.1."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    context = browser.new_context()
    context.add_init_script(WATCH_QUIZ.replace("READY", QUIZ_READY[kind]))
    elsewhere: list[str] = []
    context.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
               else elsewhere.append(r.url))
    page = context.new_page()
    page.goto(url, wait_until="commit")
    try:
        page.wait_for_function("window.__quizReady !== undefined", timeout=QUIZ_GIVE_UP * 1000)
        seconds = page.evaluate("window.__quizReady") / 1000
    except PlaywrightTimeout:  # counted, not hidden: the "before" page's widgets sometimes never appeared
        seconds = None
    page.wait_for_load_state("load")   # nothing still loading spills into the next visit
    context.close()
    return seconds, elsewhere


def browser_measures(base: str, repeat: int, jupyterquiz: str | None = None) -> dict:
    """Bytes per page type, and seconds until chapter 1's quiz can be clicked; with `jupyterquiz`
    (the comparison site's address), the same figure for its page, visits taking turns."""
    from playwright.sync_api import sync_playwright
    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", OFFLINE])
        for label, path in PAGES.items():
            cold, warm = [], []
            for _ in range(repeat):
                context = browser.new_context()
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                sizes = []
                cdp.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
                page.goto(base + path, wait_until="networkidle")
                cold.append(sum(sizes))
                sizes.clear()
                page.goto(base + path, wait_until="networkidle")
                warm.append(sum(sizes))
                context.close()
            out[f"{label}: bytes, cold cache"] = statistics.median(cold)
            out[f"{label}: bytes, warm cache"] = statistics.median(warm)
        pages = {"chapter page (widgets): seconds until a quiz answer can be clicked":
                 (base + PAGES["chapter page (widgets)"], "course")}
        if jupyterquiz:
            pages[JUPYTERQUIZ_ROW] = (jupyterquiz + jupyterquiz_page.PAGE, "jupyterquiz")
        ready: dict[str, list] = {label: [] for label in pages}
        for _ in range(repeat):
            for label, (url, kind) in pages.items():
                seconds, elsewhere = seconds_until_quiz(browser, url, kind)
                ready[label].append(seconds)
                if elsewhere:
                    out.setdefault("requests beyond this machine (blocked)", set()).update(elsewhere)
        for label, values in ready.items():
            shown = [v for v in values if v is not None]
            never = len(values) - len(shown)
            out[label] = (f"{statistics.median(shown):.2f} s" if shown else "never") + (
                f" ({never} of {len(values)} visits: quiz never clickable within {QUIZ_GIVE_UP} s)" if never else "")
        if "requests beyond this machine (blocked)" in out:
            out["requests beyond this machine (blocked)"] = ", ".join(sorted(out["requests beyond this machine (blocked)"]))
        browser.close()
    return out


def lighthouse(base: str, repeat: int) -> dict:
    """Lighthouse scores (0-100) per page type; Lighthouse comes from benchmarks/package.json."""
    cli = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
    if not cli.is_file():
        sys.exit("bench: Lighthouse is not installed. Fix: run `make bench` (it runs npm ci in benchmarks/).")
    out = {}
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in PAGES.items():
            scores: dict[str, list] = {"performance": [], "accessibility": []}
            paint = []
            for i in range(repeat):
                report = Path(tmp) / f"report{i}.json"
                run([str(cli), base + path, "--only-categories=performance,accessibility", "--quiet",
                     "--chrome-flags=--headless=new --no-sandbox --disable-gpu", "--output=json",
                     f"--output-path={report}"], ROOT, env)
                result = json.loads(report.read_text())
                for name in scores:
                    scores[name].append(round(100 * result["categories"][name]["score"]))
                paint.append(result["audits"]["first-contentful-paint"]["numericValue"] / 1000)
            for name, values in scores.items():
                out[f"{label}: Lighthouse {name}"] = statistics.median(values)
            out[f"{label}: first contentful paint (Lighthouse, mobile)"] = statistics.median(paint)
    return out


def load_test(site: Path, clients: int) -> dict:
    """`clients` simultaneous learners each fetch the ten chapter pages (gzip accepted), against
    each server in its own process; returns {server: (succeeded, total, [latencies])}."""
    import http.client
    import socket
    from concurrent.futures import ThreadPoolExecutor
    pages = sorted("/" + p.relative_to(site).as_posix() for p in (site / "book").glob("ch[0-9][0-9]-*.html"))
    servers = {
        "tools/serve.py (make serve)": [sys.executable, str(ROOT / "tools" / "serve.py"), str(site), "--quiet", "--port"],
        "python -m http.server": [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(site)],
    }
    out = {}
    for label, cmd in servers.items():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(cmd + [str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):   # up to 10 s for the server to listen
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)

            def learner(_):
                times, ok = [], 0
                for page in pages:
                    start = time.perf_counter()
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        conn.request("GET", page, headers={"Accept-Encoding": "gzip"})
                        response = conn.getresponse()
                        response.read()
                        conn.close()
                        ok += response.status == 200
                    except OSError:
                        pass
                    times.append(time.perf_counter() - start)
                return ok, times

            with ThreadPoolExecutor(max_workers=clients) as pool:
                done = list(pool.map(learner, range(clients)))
            out[label] = (sum(ok for ok, _ in done), clients * len(pages), [t for _, ts in done for t in ts])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return out


def load_rows(results: dict, clients: int) -> list[tuple[str, str]]:
    rows = []
    for label, (ok, total, times) in results.items():
        q = statistics.quantiles(times, n=100)
        rows.append((f"{label}: {clients} learners x 10 chapters",
                     f"{100 * ok / total:.1f} % succeeded ({total - ok} failed); "
                     f"p50 {q[49]:.2f} s, p95 {q[94]:.2f} s, p99 {q[98]:.2f} s"))
    return rows


def print_table(title: str, rows: list[tuple[str, str]]):
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}\n{'measure'.ljust(width)}  value\n{'-' * width}  -----")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


def fmt(key: str, value) -> str:
    if isinstance(value, str):
        return value
    if "bytes" in key:
        return f"{value / 1e3:,.0f} kB"
    if "Lighthouse" in key and "paint" not in key:
        return f"{value:.0f}"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def measure(source: Path, site: Path, parts: set, args) -> dict:
    """Every selected figure for the course at `source` (its book built into `site`)."""
    out: dict = {}
    if "builds" in parts:
        builds, executed, workbook = build_timings(source, args.repeat)
        clean = builds["clean build"]
        for label, value in builds.items():
            share = "" if label == "clean build" else f", {100 * value / clean:.0f} %"
            out[label] = f"{value:.1f} s ({executed[label]} executed{share})"
            if workbook[label]:  # the measure: the rebuild, that chapter's workbook aside
                rest = value - workbook[label]
                out[f"{label}, its workbook's run aside"] = f"{rest:.1f} s ({100 * rest / clean:.0f} %)"
    if "tests" in parts and source == ROOT:
        out[f"whole test suite (`make test`), median of {args.test_repeat}"] = f"{test_suite(args.test_repeat):.0f} s"
    if parts & {"pages", "lighthouse", "load"}:
        if source == ROOT or not (site / "index.html").is_file():  # the working tree's build is brought up to date
            run([str(BIN / "jupyter-book"), "build", str(source), "-W", "-n", "--keep-going"], source,
                {**os.environ, "PEACEOPS_ROOT": str(source)})
        server, base = serve(site)
        try:
            out["site size"] = f"{site_size(site) / 1e6:.1f} MB"
            if "pages" in parts:
                out.update(browser_measures(base, args.repeat, args.jupyterquiz_url))
            if "lighthouse" in parts:
                out.update(lighthouse(base, args.repeat))
        finally:
            server.shutdown()
        if "load" in parts:
            out.update(dict(load_rows(load_test(site, args.load_clients), args.load_clients)))
    return out


PARTS = ["builds", "pages", "lighthouse", "tests", "load"]


def jupyterquiz_site(folder: Path) -> Path:
    """The jupyterquiz comparison book (benchmarks/jupyterquiz_page.py), built for this run."""
    import importlib.util
    if importlib.util.find_spec("jupyterquiz") is None:
        sys.exit("bench: jupyterquiz is not installed. Fix: run `make bench` (it installs the `bench` extra).")
    from peaceops import data
    return jupyterquiz_page.build_site(folder, data.load_quiz("ch01"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (the median is reported)")
    ap.add_argument("--only", default=",".join(PARTS),
                    help=f"comma-separated parts to measure, of {','.join(PARTS)} (default: all)")
    ap.add_argument("--before", default="fe8fa44",
                    help="the commit to compare with, measured in the same run ('none': no before column)")
    ap.add_argument("--test-repeat", type=int, default=1, help="runs of the whole test suite (6-8 min each)")
    ap.add_argument("--load-clients", type=int, default=300, help="simultaneous learners in the load test")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    if parts - set(PARTS):
        sys.exit(f"bench: unknown part(s) {sorted(parts - set(PARTS))}; choose from {PARTS}")
    load = os.getloadavg()[0]
    print(f"Benchmarking {sorted(parts)} on {os.cpu_count()} cores (load average {load:.1f} at the start: "
          f"{'idle' if load < 0.5 else 'NOT idle'}), medians of {args.repeat} runs...", flush=True)
    columns: dict[str, dict] = {}
    args.jupyterquiz_url = None
    with tempfile.TemporaryDirectory() as tmp:
        if "pages" in parts:   # the comparison page, measured beside each column's chapter page
            jq_server, args.jupyterquiz_url = serve(jupyterquiz_site(Path(tmp) / "jupyterquiz"))
        if args.before != "none":
            before = Path(tmp) / "before"
            before.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
            columns[f"before ({args.before})"] = measure(before, before / "_build" / "html", parts - {"tests"}, args)
        columns["after (this tree)"] = measure(ROOT, ROOT / "_build" / "html", parts, args)
        if args.jupyterquiz_url:
            jq_server.shutdown()
    keys = list(dict.fromkeys(k for col in columns.values() for k in col))
    names = list(columns)
    rows = [[k] + [fmt(k, col[k]) if k in col else "" for col in columns.values()] for k in keys]
    widths = [max(len(r[i]) for r in rows + [["measure"] + names]) for i in range(len(names) + 1)]
    print()
    for r in [["measure"] + names, ["-" * w for w in widths]] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "bench.json").write_text(json.dumps({n: {k: fmt(k, v) for k, v in c.items()}
                                                            for n, c in columns.items()}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
