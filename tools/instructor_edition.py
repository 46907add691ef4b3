#!/usr/bin/env python3
"""Build the instructor edition of the course into _build/instructor/_build/html.

The learner edition (`make build`) leaves out book/instructor/ (seminar plans, programmes,
answer keys, the simulation's injects and debrief). The instructor edition is the same book
plus those pages: this script derives its configuration and table of contents from
_config.yml and _toc.yml, so there is one source for both, and reuses the learner build's
execution cache, so no page runs twice.

    .venv/bin/python tools/instructor_edition.py      (what `make instructor` runs)
"""
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "instructor"
INSTRUCTOR_DIR = "book/instructor"

# The instructor part of the table of contents, in the order a facilitator needs it.
PAGES = (["index", "programme-half-day", "programme-two-day"] + [f"seminar-ch{n:02d}" for n in range(1, 11)]
         + ["simulation-injects", "simulation-debrief", "simulation-handouts",
            "facilitator-checklist", "participant-agenda", "attendance-sheet", "certificate", "evaluation-form",
            "knowledge-check"])


def config() -> dict:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cfg["title"] = cfg["title"] + " (instructor edition)"
    cfg["exclude_patterns"] = [p for p in cfg["exclude_patterns"] if p != INSTRUCTOR_DIR]
    cfg["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")  # the learner build's cache
    return cfg


def toc() -> dict:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    missing = [p for p in PAGES if not (ROOT / INSTRUCTOR_DIR / f"{p}.md").is_file()]
    if missing:
        sys.exit(f"instructor_edition: missing pages in {INSTRUCTOR_DIR}/: {', '.join(missing)}. "
                 "Fix: write them, or remove them from PAGES in tools/instructor_edition.py.")
    first, *rest = [f"{INSTRUCTOR_DIR}/{p}" for p in PAGES]
    toc["parts"].insert(0, {"caption": "For facilitators",
                            "chapters": [{"file": first, "sections": [{"file": f} for f in rest]}]})
    return toc


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "_config.yml").write_text(yaml.safe_dump(config(), sort_keys=False), encoding="utf-8")
    (OUT / "_toc.yml").write_text(yaml.safe_dump(toc(), sort_keys=False), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--config", str(OUT / "_config.yml"), "--toc", str(OUT / "_toc.yml"),
           "--path-output", str(OUT), "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode == 0:
        print(f"\n  The instructor edition is in {(OUT / '_build' / 'html').relative_to(ROOT)}/\n")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
