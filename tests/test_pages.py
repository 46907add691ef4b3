"""Every built page: loads cleanly, asks nothing of other hosts, and passes axe-core
(WCAG 2.1 A and AA) in light and dark mode. Pages are discovered from the build, so new
chapters are covered without editing this file."""
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


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_offline(watched, path):
    watched.goto(path)
    watched.page.wait_for_load_state("networkidle")
    watched.assert_clean()
    for view in watched.page.locator("script[type='application/vnd.jupyter.widget-view+json']").all():
        # every embedded widget rendered something (a blank output area means the manager failed)
        assert view.evaluate("el => el.parentElement.querySelector('.po-widget') !== null")


def _axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""", WCAG)
    return result


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_passes_axe(make_page, path, scheme):
    watched = make_page(color_scheme=scheme)
    page = watched.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    violations = _axe_violations(page)
    assert violations == [], "\n".join(f"{v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)
