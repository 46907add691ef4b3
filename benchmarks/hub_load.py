#!/usr/bin/env python3
"""`make bench-hub`: how many learners the class hub (make hub) serves on this machine.

    .venv/bin/python benchmarks/hub_load.py [--classes 10 20 30] [--timeout 600]

For each class size, a fresh hub in a temporary folder on 127.0.0.1; every learner at the same
moment logs in (first login: sets a password), starts a server, pulls the course with
nbgitpuller's link, runs the chapter 1 workbook in a kernel and answers its quiz, as in
tests/test_hub.py. Prints per class size: the time from asking for a server to its being ready
(p50, p95, max), the time for the whole round, failures (and why), the memory of each learner's
server with its kernel running (median and max of the summed RSS) and of the hub and the proxy.
Every learner has --timeout seconds at most; each hub is stopped, with every process it started.
Results are also written to _build/bench-hub.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from hubclass import ClassHub, HubUser, Kernel, course_repo, launch_link, wait_until  # noqa: E402

WORKBOOK = "notebooks/ch01-workbook.ipynb"
MIB = 2**20


def rss_by_learner(hub: ClassHub) -> dict[str, int]:
    """Resident memory of each learner's processes (server and kernels), by JUPYTERHUB_USER."""
    totals: dict[str, int] = {}
    for p in psutil.Process(hub.proc.pid).children(recursive=True):
        try:
            user = p.environ().get("JUPYTERHUB_USER")
            if user:
                totals[user] = totals.get(user, 0) + p.memory_info().rss
        except psutil.Error:
            pass
    return totals


def one_learner(hub: ClassHub, name: str, repo: Path, timeout: float, memory: dict) -> dict:
    start = time.monotonic()
    user = HubUser(hub, name)
    assert user.log_in().status_code == 302, "login refused"
    user.make_token()
    asked = time.monotonic()
    user.start_server()
    wait_until("server ready", user.server_ready, timeout - (asked - start), every=1)
    spawn = time.monotonic() - asked
    user.pull(launch_link(hub.url, str(repo), WORKBOOK))
    notebook = json.loads((hub.home(name) / "course" / WORKBOOK).read_text(encoding="utf-8"))
    kernel = Kernel(user, f"course/{WORKBOOK}")
    try:
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                kernel.run("".join(cell["source"]), timeout=max(30, timeout - (time.monotonic() - start)))
        kernel.widget_update(kernel.run("print(quiz.model_id)").strip(), {"answers": {"ch01-q01": ["a"]}})
        memory[name] = rss_by_learner(hub).get(name, 0)  # with the kernel running
    finally:
        kernel.close()
    assert (hub.home(name) / "peaceops-results.json").exists(), "no results saved"
    return {"spawn": spawn, "total": time.monotonic() - start}


def run_class(size: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"peaceops-bench-hub-{size}-") as tmp:
        names = [f"learner{n:03d}" for n in range(1, size + 1)]
        hub = ClassHub(Path(tmp), roster=names)
        hub.start()
        try:
            repo = course_repo(Path(tmp))
            memory: dict[str, int] = {}
            began = time.monotonic()

            def attempt(name):
                try:
                    return one_learner(hub, name, repo, timeout, memory)
                except Exception as exc:  # a failure is a result here: counted and shown
                    return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            with ThreadPoolExecutor(size) as pool:
                outcomes = list(pool.map(attempt, names))
            elapsed = time.monotonic() - began
            hub_rss = psutil.Process(hub.proc.pid).memory_info().rss
            proxy_rss = sum(p.memory_info().rss for p in psutil.Process(hub.proc.pid).children()
                            if "configurable-http-proxy" in " ".join(p.cmdline()))
            hub.note_processes()
        finally:
            hub.stop()
    spawns = sorted(o["spawn"] for o in outcomes if "spawn" in o)
    pct = lambda q: spawns[min(len(spawns) - 1, round(q * (len(spawns) - 1)))] if spawns else float("nan")  # noqa: E731
    return {"learners": size, "ok": len(spawns), "failures": [o["error"] for o in outcomes if "error" in o],
            "spawn_p50": pct(0.5), "spawn_p95": pct(0.95), "spawn_max": spawns[-1] if spawns else float("nan"),
            "round_seconds": elapsed, "learner_mib_median": statistics.median(memory.values()) / MIB if memory else 0,
            "learner_mib_max": max(memory.values()) / MIB if memory else 0,
            "hub_mib": hub_rss / MIB, "proxy_mib": proxy_rss / MIB}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--classes", type=int, nargs="+", default=[10, 20, 30])
    ap.add_argument("--timeout", type=float, default=600, help="seconds each learner has, at most")
    args = ap.parse_args()
    print(f"Machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB; "
          f"load average now {psutil.getloadavg()[0]:.1f} (other work on the machine slows every figure)")
    rows = []
    for size in args.classes:
        row = run_class(size, args.timeout)
        rows.append(row)
        print(f"{size:>3} learners at once: {row['ok']} ready and answered, {len(row['failures'])} failed; "
              f"spawn p50 {row['spawn_p50']:.1f} s, p95 {row['spawn_p95']:.1f} s, max {row['spawn_max']:.1f} s; "
              f"whole round {row['round_seconds']:.0f} s; per learner (server + kernel) median "
              f"{row['learner_mib_median']:.0f} MiB, max {row['learner_mib_max']:.0f} MiB; hub {row['hub_mib']:.0f} MiB, "
              f"proxy {row['proxy_mib']:.0f} MiB", flush=True)
        for failure in sorted(set(row["failures"])):
            print(f"      failure: {failure}")
    out = ROOT / "_build" / "bench-hub.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"Written to {out.relative_to(ROOT)}")
    sys.exit(1 if any(r["failures"] for r in rows) else 0)


if __name__ == "__main__":
    main()
