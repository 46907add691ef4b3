"""Figures ({course-figure}, peaceops/figures.py): every chapter has one; each says in words what it
shows, is drawn with real text that stays readable in light and dark mode, fits a phone, opens
full size, prints, and appears on the chapter's slides; a figure whose source is missing stops
the build with a message that says how to fix it."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import pytest

from peaceops import data
from peaceops.figures import figures_in
from test_pages import _axe_violations, _report  # the one axe set-up of the suite

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = data.load_chapters()
FIGURE_PAGES = sorted({f"{c['file']}.html" for c in CHAPTERS} | {"book/timeline.html"})

# For each drawn text: its colour, and the colour of what it sits on (its box, else its group,
# else the page). Transparent means "look further out".
TEXT_AND_GROUND = """svg => {
  const paint = el => el ? getComputedStyle(el).fill : 'none';
  const solid = c => c && c !== 'none' && !/rgba\\(.*,\\s*0\\)$/.test(c);
  const page = getComputedStyle(document.body).backgroundColor;
  return [...svg.querySelectorAll('text')].map(t => {
    const group = t.closest('g.node, g.cluster, g.edge');
    let ground = group && !group.matches('g.edge') ? paint(group.querySelector('polygon, path, ellipse')) : 'none';
    if (!solid(ground)) {
      const cluster = [...svg.querySelectorAll('g.cluster')].reverse().find(c => {
        const b = c.getBBox(), tb = t.getBBox();
        return tb.x >= b.x && tb.y >= b.y && tb.x + tb.width <= b.x + b.width && tb.y + tb.height <= b.y + b.height;
      });
      ground = cluster ? paint(cluster.querySelector('polygon, path')) : 'none';
    }
    return {text: t.textContent, fg: paint(t), bg: solid(ground) ? ground : page};
  });
}"""


def _luminance(rgb: str) -> float:
    channels = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_chapter_has_a_figure():
    for chapter in CHAPTERS:
        source = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
        assert figures_in(source), f"chapter {chapter['number']} has no {{course-figure}}"


@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_figures_are_described_readable_and_fit_a_phone(make_page, path):
    """At 375 px, light then dark: each figure has a text alternative and real text, fits the
    screen, its text contrasts with what it sits on (4.5:1), and axe finds nothing on the page."""
    watched = make_page(width=375, height=800)
    page = watched.goto(path)
    figures = page.locator("figure.po-figure")
    assert figures.count() >= 1, f"{path}: no figure"
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
        for figure in figures.all():
            svg = figure.locator("svg.po-fig")
            alt = svg.get_attribute("aria-label") or ""
            assert svg.get_attribute("role") == "img" and len(alt.split()) >= 8, f"{path}: text alternative {alt!r}"
            assert figure.locator("figcaption").inner_text().strip(), f"{path}: figure without a caption"
            words = svg.locator("text").all_text_contents()
            assert len(words) >= 3 and all(w.strip() for w in words), f"{path}: the figure has no real text"
            box = svg.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, f"{path}: figure overflows at 375 px: {box}"
            for item in svg.evaluate(TEXT_AND_GROUND):
                ratio = _contrast(item["fg"], item["bg"])
                assert ratio >= 4.5, f"{path} ({scheme}): '{item['text']}' {item['fg']} on {item['bg']}: {ratio:.2f}:1"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{path}: the page scrolls sideways"
        violations = _axe_violations(page)
        assert violations == [], _report(violations, scheme)
    watched.assert_clean()


def test_full_size_link_opens_the_drawing(make_page):
    watched = make_page(width=375)
    page = watched.goto(f"{CHAPTERS[1]['file']}.html")
    link = page.locator(".po-figure-full a").first
    with page.expect_navigation():
        link.click()
    assert page.locator("svg text").count() >= 3  # the same drawing, now on its own, full size
    assert page.locator("svg").first.bounding_box()["width"] > 375
    watched.assert_clean()


def test_figures_print(browser, server):
    """The chapter's figure is in its printed handout as text (a vector drawing, not a picture)."""
    import io

    from pypdf import PdfReader
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + f"{CHAPTERS[1]['file']}.html")
    label = page.locator("figure.po-figure svg text").first.text_content()
    page.emulate_media(media="print")
    assert page.locator("figure.po-figure svg").first.is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(p.extract_text() or "" for p in pdf.pages)
    context.close()
    squash = lambda t: re.sub(r"\W+", "", unicodedata.normalize("NFKC", t)).lower()  # PDF text: ligatures, breaks
    assert squash(label) in squash(text), f"the printed page lacks the figure's text {label!r}"


@pytest.mark.xdist_group("slides")   # rewrites _build/slides, as the slide tests do
def test_slides_show_each_chapters_figures(browser):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_slides.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    for chapter in CHAPTERS:
        expected = figures_in((ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8"))
        page.goto((ROOT / "_build" / "slides" / f"{chapter['id']}.html").as_uri())
        page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady()")
        drawn = page.locator(".slides section.figure svg[role='img']")
        assert drawn.count() == len(expected) >= 1, f"{chapter['id']}: {drawn.count()} figures on the slides"
        for svg, figure in zip(drawn.all(), expected):
            assert svg.get_attribute("aria-label") == figure["alt"]
            assert svg.locator("text").count() >= 3
    context.close()


def test_a_missing_figure_source_stops_the_build(tmp_path):
    """A tiny book whose figures are broken in the three ways an author can break them: the build
    fails, and each message names the file and the fix."""
    (tmp_path / "data").mkdir()  # a course folder (PEACEOPS_ROOT) with no figures/ in it
    (tmp_path / "bad.dot").write_text("digraph { a -> }", encoding="utf-8")
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "peaceops.figures"]\n', encoding="utf-8")
    (tmp_path / "index.md").write_text(textwrap.dedent("""\
        # Figures

        ```{course-figure} figures/missing.dot
        :alt: A picture that is not there.

        Its caption.
        ```

        ```{course-figure} bad.dot
        :alt: A picture that Graphviz cannot draw.

        Its caption.
        ```

        ```{course-figure} bad.dot
        Its caption, but no text alternative.
        ```
        """), encoding="utf-8")
    env = {"PEACEOPS_ROOT": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": __import__("os").environ["PATH"]}
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                             str(tmp_path), str(tmp_path / "_build")], capture_output=True, text=True, env=env)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    assert "figure source 'figures/missing.dot' does not exist. Fix:" in log, log
    assert "bad.dot: Graphviz could not draw it" in log, log
    assert "the :alt: text is missing. Fix:" in log, log
