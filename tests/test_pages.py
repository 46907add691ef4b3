"""Every built page: loads cleanly, asks nothing of other hosts, and passes axe-core
(WCAG 2.1 A and AA) in light and dark mode. Pages are discovered from the build, so new
chapters are covered without editing this file."""
import re

import pytest

from conftest import AXE, SITE, built_pages

# conftest.py builds the book at session start, before this module is collected.
PAGES = built_pages(SITE) if SITE.is_dir() else []
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_book_builds_strictly(site):
    """The build (warnings as errors, nitpicky) succeeded and produced the course's pages."""
    pages = built_pages(site)
    assert "book/intro.html" in pages
    assert "book/ch01-what-integration-means.html" in pages
    assert "notebooks/ch01-workbook.html" in pages


def test_every_page_is_checked(site):
    """The page tests below are generated from this run's build, and cover every page of it."""
    assert PAGES and PAGES == built_pages(site)


WIDGET_HOST = "// Shows the course's widgets in the built book, with no kernel and no network."


def test_pages_load_only_what_they_use(site):
    """What keeps pages quick on a slow connection (README, Performance): only pages with widgets
    load the widget script; no page loads the theme's 1.5 MB fontawesome.js; and no script in a
    page's head holds up its first paint (the 0.5 kB page options that the head's inline scripts
    need at once are written into the page: peaceops/sphinx_styles.py). (The search page runs its
    search as it loads, so it is left as it is.)"""
    for path in PAGES:
        html = (site / path).read_text(encoding="utf-8")
        has_widgets = "application/vnd.jupyter.widget-view+json" in html
        # the widget host, written into widget pages (sphinxext.inline_widget_host)
        assert (WIDGET_HOST in html) == has_widgets, path
        assert "fontawesome.js" not in html, path
        if path == "search.html":
            continue
        head = html.split("</head>")[0]
        blocking = [tag for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head)
                    if not re.search(r"\b(defer|async)\b", tag)]
        assert not blocking, (path, blocking)


def _axe_violations(page):
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""", WCAG)


def _report(violations, scheme):
    return f"in {scheme} mode:\n" + "\n".join(f"{v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_offline_and_accessible(watched, path):
    """One visit per page: no page or console error, no request beyond 127.0.0.1, every widget
    rendered, and axe-core finds no WCAG 2.1 A/AA violation in light mode, then in dark mode."""
    page = watched.goto(path)
    page.wait_for_load_state("networkidle")
    watched.assert_clean()
    # the theme's icons (an icon font) sit beside text labels: screen readers must skip them
    assert page.locator("i[class*='fa-']:not([aria-hidden='true'])").count() == 0
    for view in page.locator("script[type='application/vnd.jupyter.widget-view+json']").all():
        # every embedded widget rendered something (a blank output area means the manager failed)
        assert view.evaluate("el => el.parentElement.querySelector('.po-widget') !== null")
    # The test flips a loaded page between modes; the theme's colour transitions would otherwise be
    # measured half-way (a reader loads a page in one mode and never sees that).
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # the theme follows the system setting ('auto')
        page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
        violations = _axe_violations(page)
        assert violations == [], _report(violations, scheme)
    watched.assert_clean()
