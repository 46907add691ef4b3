"""`make build HUB_URL=… COURSE_REPO=…`: the book built for a class hub links every workbook
through nbgitpuller, and the default build (conftest's) links to no hub at all."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubclass import launch_link

ROOT = Path(__file__).resolve().parent.parent
HUB_URL = "http://127.0.0.1:8000"
COURSE_REPO = "http://127.0.0.1:8080/org/course"   # a plain-HTTP git repository: not a known host
WORKBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("ch*-workbook.ipynb"))


def hrefs(page: Path) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8"))]


def test_the_default_build_links_to_no_hub(site):
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    assert pages and not [p.name for p in pages if "git-pull" in p.read_text(encoding="utf-8")]


@pytest.mark.xdist_group("hub-build")  # its own worker: in "hub" it would split test_hub.py and start its hub twice
def test_a_build_for_a_hub_opens_every_workbook_there_through_nbgitpuller(site, tmp_path):
    # Start from this run's executed notebooks (the cache), so only the pages are written again.
    out = tmp_path / "_build"
    shutil.copytree(site.parent / ".jupyter_cache", out / ".jupyter_cache")
    if (site.parent / "peaceops-inputs.json").exists():
        shutil.copy(site.parent / "peaceops-inputs.json", out / "peaceops-inputs.json")
    jb = Path(sys.executable).with_name("jupyter-book")
    env = dict(os.environ, PEACEOPS_HUB_URL=HUB_URL, PEACEOPS_COURSE_REPO=COURSE_REPO)
    result = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(tmp_path), "-W", "-n", "--keep-going"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    built = out / "html"
    for workbook in WORKBOOKS:
        link = launch_link(HUB_URL, COURSE_REPO, f"notebooks/{workbook}.ipynb")
        assert link in hrefs(built / "notebooks" / f"{workbook}.html"), f"{workbook}: no launch button to {link}"
        chapter = next((ROOT / "book").glob(f"{workbook[:4]}-*.md")).stem
        card = built / "book" / f"{chapter}.html"
        assert link in hrefs(card), f"{chapter}: 'Run this chapter in Jupyter' does not open {workbook} on the hub"
    assert "Run this chapter in Jupyter" in (built / "book" / f"{chapter}.html").read_text(encoding="utf-8")
    # Only workbooks carry the theme's launch button: a chapter page would open as Markdown source.
    assert not [h for h in hrefs(card) if "git-pull" in h and "workbook" not in h]
