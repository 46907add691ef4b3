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


def build_edition(out: Path, cfg: dict, contents: dict | None = None) -> int:
    """Build the book, strictly as `make build` does, with a derived configuration (and table of
    contents, or the book's own) into out/_build/html. Every edition (instructor, class) uses it."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "_config.yml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    toc_path = ROOT / "_toc.yml"
    if contents is not None:
        toc_path = out / "_toc.yml"
        toc_path.write_text(yaml.safe_dump(contents, sort_keys=False), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--config", str(out / "_config.yml"), "--toc", str(toc_path),
           "--path-output", str(out), "-W", "-n", "--keep-going"]
    return subprocess.run(cmd, cwd=ROOT).returncode


def main() -> int:
    code = build_edition(OUT, config(), toc())
    if code == 0:
        print(f"\n  The instructor edition is in {(OUT / '_build' / 'html').relative_to(ROOT)}/\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
