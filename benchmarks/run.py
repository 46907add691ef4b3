#!/usr/bin/env python3
"""Measure the course as authors, CI and learners meet it, and print a table of medians.

    .venv/bin/python benchmarks/run.py [--repeat N] [--with-tests]     (what `make bench` runs)

Measures, on the real course:
- clean build (notebooks executed from scratch), rebuild after editing one chapter's text,
  rebuild after touching one chapter's quiz data, rebuild with no change;
- execution time of every executable page and notebook (from the build's own execution records);
- total size of the built site;
- bytes transferred for a text page and a widget page, cold and warm browser cache;
- time until the first quiz answer on a widget page can be clicked (headless Chromium);
- with --with-tests: the whole `pytest` suite (slow, so run once).

Every timing is repeated --repeat times (default 3) and the median reported; the build steps
use a copy of the course in a temporary folder, so the working tree is never touched.
"""
import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "node_modules", "_build", "drafts", "__pycache__",
                                     ".pytest_cache", "test-results")


def timed(cmd, cwd, env=None) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return elapsed


def build_timings(repeat: int) -> dict:
    results = {"clean build": [], "rebuild, one chapter's text edited": [],
               "rebuild, one chapter's quiz data edited": [], "rebuild, no change": []}
    executions: dict = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "course"
            shutil.copytree(ROOT, work, ignore=COPY_IGNORE)
            (work / "node_modules").symlink_to(ROOT / "node_modules")
            env = {**os.environ, "PEACEOPS_ROOT": str(work)}
            build = [str(BIN / "jupyter-book"), "build", str(work), "-W", "-n", "--keep-going"]
            results["clean build"].append(timed(build, work, env))
            executions = execution_times(work)
            chapter = work / "book" / "ch05-aligning-mandates-resources.md"
            chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAn added sentence for the benchmark.\n", encoding="utf-8")
            results["rebuild, one chapter's text edited"].append(timed(build, work, env))
            quiz = work / "data" / "quizzes" / "ch05.yml"
            quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# edited for the benchmark\n", encoding="utf-8")
            results["rebuild, one chapter's quiz data edited"].append(timed(build, work, env))
            results["rebuild, no change"].append(timed(build, work, env))
    return {k: statistics.median(v) for k, v in results.items()}, executions


def execution_times(course: Path) -> dict:
    """Seconds each executed document took, as the build's jupyter-cache recorded them."""
    from jupyter_cache import get_cache
    cache = get_cache(course / "_build" / ".jupyter_cache")
    times = {}
    for record in cache.list_cache_records():
        uri = Path(record.uri)
        name = uri.relative_to(course).as_posix() if uri.is_relative_to(course) else uri.name
        times[name] = (record.data or {}).get("execution_seconds")
    return times


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def browser_measures(site: Path, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    pages = {"text page": "book/glossary.html", "widget page": "book/ch01-what-integration-means.html"}
    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for label, path in pages.items():
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
            out[f"bytes, {label}, cold cache"] = statistics.median(cold)
            out[f"bytes, {label}, warm cache"] = statistics.median(warm)
        ready = []
        for _ in range(repeat):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + pages["widget page"], wait_until="commit")
            page.wait_for_selector(".po-quiz input[type=radio]:not([disabled])", state="visible", timeout=30000)
            ready.append(page.evaluate("performance.now()") / 1000)
            context.close()
        out["seconds until a quiz answer can be clicked"] = statistics.median(ready)
        browser.close()
    httpd.shutdown()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--with-tests", action="store_true", help="also time the whole test suite (once)")
    args = ap.parse_args()
    print(f"Benchmarking on {os.cpu_count()} cores, {args.repeat} repeats (medians)...", flush=True)
    builds, executions = build_timings(args.repeat)
    site = ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        timed([str(BIN / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going"], ROOT)
    rows = [(k, f"{v:.1f} s") for k, v in builds.items()]
    clean = builds["clean build"]
    for key in ("rebuild, one chapter's text edited", "rebuild, one chapter's quiz data edited"):
        rows.append((f"  {key}, share of a clean build", f"{100 * builds[key] / clean:.0f} %"))
    total_exec = sum(v for v in executions.values() if v)
    rows.append((f"execution, {len(executions)} documents, sum", f"{total_exec:.1f} s"))
    slowest = sorted(((v or 0, k) for k, v in executions.items()), reverse=True)[:3]
    rows += [(f"  execution, {k}", f"{v:.1f} s") for v, k in slowest]
    rows.append(("site size", f"{site_size(site) / 1e6:.1f} MB"))
    for k, v in browser_measures(site, args.repeat).items():
        rows.append((k, f"{v / 1e3:.0f} kB" if k.startswith("bytes") else f"{v:.2f} s"))
    if args.with_tests:
        rows.append(("whole test suite (pytest), once", f"{timed([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider'], ROOT):.0f} s"))
    width = max(len(k) for k, _ in rows)
    print(f"\n{'measure'.ljust(width)}  value\n{'-' * width}  -----")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "bench.json").write_text(json.dumps(dict(rows), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
