#!/usr/bin/env python3
"""Build the class edition of the course into _build/class/_build/html: the same book, plus a
reporter that records quiz answers, activity decisions and the final assessment for a class's
learning-record store (LRS), as xAPI statements sent to LRS_PATH on the course's own site.

    .venv/bin/python tools/class_edition.py [LRS_PATH]     (what `make class` runs; default /xapi/)

The default book (`make build`) has no reporter and sends nothing anywhere; this edition is
built into its own folder so the two never mix. Its configuration is derived from _config.yml
(one source) and it reuses the default build's execution cache, so no page runs twice.
Serve it with the LRS path passed on to the LRS: `make class` (tools/serve.py --lrs-path).
"""
import sys
from pathlib import Path

import yaml

from instructor_edition import build_edition  # tools/ is on the path when this script runs

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "class"
SITE = OUT / "_build" / "html"


def config(lrs_path: str) -> dict:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cfg["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")  # the default build's cache
    cfg["sphinx"]["config"]["peaceops_lrs"] = lrs_path
    return cfg


def main(argv: list[str]) -> int:
    lrs_path = argv[1] if len(argv) > 1 else "/xapi/"
    lrs_path = lrs_path if lrs_path.endswith("/") else lrs_path + "/"
    code = build_edition(OUT, config(lrs_path))
    if code == 0:
        print(f"\n  The class edition (records sent to {lrs_path} on its own site) is in {SITE.relative_to(ROOT)}/\n")
    return code

if __name__ == "__main__":
    sys.exit(main(sys.argv))
