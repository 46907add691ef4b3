"""One style sheet per page (peaceops/sphinx_styles.py): every page loads the bundle and nothing
else, and the bundle, with its unused rules left out, styles every element exactly as the theme's
original sheets do, in light and dark mode, on a phone and a wide screen, with menus open and a
quiz answered."""
import hashlib
import re

import pytest

from conftest import built_pages

BUNDLE = "_static/styles/peaceops.css"
PAGES = {  # one page of each type
    "text": "book/glossary.html",
    "chapter (widgets)": "book/ch01-what-integration-means.html",
    "workbook (notebook cells)": "notebooks/ch01-workbook.html",
    "final assessment": "book/exam.html",
    "progress": "book/progress.html",
    "search": "search.html",
}

# Every element's computed style (and its ::before and ::after, which draw the icons), as one
# string per element; the two snapshots are compared in the page.
SNAPSHOT = """async (key) => {
    // laid out afresh (a used 'auto' margin can otherwise be reported as it was before a menu
    // opened), and scrolled back before the page draws again (the theme styles a scrolled page)
    const scrolled = window.scrollY;
    document.body.style.display = 'none';
    void document.body.offsetHeight;
    document.body.style.display = '';
    window.scrollTo(0, scrolled);
    await document.fonts.ready;  // the icon font a new sheet names, loaded
    const out = [];
    for (const el of [document.documentElement, ...document.body.querySelectorAll('*')]) {
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
        for (const pseudo of ['', '::before', '::after']) {
            const style = getComputedStyle(el, pseudo || null);
            if (pseudo && style.content === 'none') continue;
            const values = Array.from(style, (p) => p + ': ' + style.getPropertyValue(p));
            // and its box: an icon whose character the (cut-down) icon font lacks is drawn another width
            if (!pseudo) values.push('box: ' + JSON.stringify(el.getBoundingClientRect()));
            out.push([name + pseudo, values]);
        }
    }
    (window.snapshots = window.snapshots || {})[key] = out;  // kept in the page: megabytes of text
    return out.length;
}"""
DIFFERENCES = """([one, other]) => {
    const before = window.snapshots[one], after = window.snapshots[other];
    if (before.length !== after.length) return ['the number of styled boxes changed'];
    const out = [];
    before.forEach(([name, a], i) => {
        const b = after[i][1];
        const changed = a.filter((p, k) => p !== b[k]);
        if (changed.length) out.push(name + ': ' + changed.slice(0, 3).join('; ') + '  ->  ' +
                                     b.filter((p, k) => p !== a[k]).slice(0, 3).join('; '));
    });
    return out.slice(0, 10);
}"""
LINKED_SHEETS = "Array.from(document.styleSheets).filter((s) => s.href).length"
# Load the theme's original sheets (listed in the bundle's first lines) in its place: first added
# before it, then, once they have loaded, the bundle taken away.
SWAP_TO_ORIGINALS = """async (sources) => {
    const bundle = document.querySelector('link[rel=stylesheet][href*="peaceops.css"]');
    const root = document.documentElement.dataset.content_root;
    await Promise.all(sources.map((source) => new Promise((resolve, reject) => {
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = root + source;
        link.onload = resolve;
        link.onerror = () => reject(new Error('could not load ' + source));
        bundle.before(link);
    })));
    bundle.remove();
}"""


def _sources(site) -> list[str]:
    header = (site / BUNDLE).read_text(encoding="utf-8").split("\n", 2)[1]
    return re.search(r"bundled from: (.*) \*/", header).group(1).split()


def test_every_page_links_the_one_bundle(site):
    """Every page's head links one style sheet, the bundle, by a digest of its content (so a
    browser may keep it for ever), and runs no script from another file before it is drawn."""
    text = (site / BUNDLE).read_bytes()
    digest = hashlib.sha256(text).hexdigest()[:20]
    assert b"@import" not in text
    for path in built_pages(site):
        html = (site / path).read_text(encoding="utf-8")
        if "<head>" not in html:
            continue  # the home page is a redirect
        head = html.split("</head>")[0]
        sheets = re.findall(r"<link\b[^>]*\brel=\"stylesheet\"[^>]*>", head)
        assert len(sheets) == 1 and f'peaceops.css?digest={digest}"' in sheets[0], (path, sheets)
        assert "documentation_options.js" not in head, path


def test_the_bundle_is_much_smaller_than_the_sheets_it_replaces(site):
    """What it is for (README, Performance): the theme's unused Bootstrap rules are left out."""
    original = sum(len((site / s).read_bytes()) for s in _sources(site))
    assert len((site / BUNDLE).read_bytes()) < original / 2


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_a_page_loads_one_style_sheet(watched, path):
    page = watched.goto(path)
    page.wait_for_load_state("networkidle")
    css = page.evaluate("performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /\\.css(\\?|$)/.test(n))")
    assert len(css) == 1 and BUNDLE in css[0], css
    assert page.evaluate(LINKED_SHEETS) == 1
    watched.assert_clean()


def _open(page, state: str):
    if state == "menu open":
        page.locator(".primary-toggle").click()
        page.locator("#pst-primary-sidebar-modal").wait_for(state="visible")
    elif state == "download menu open":
        page.locator(".dropdown-download-buttons .dropdown-toggle").click()
        page.locator(".dropdown-download-buttons .dropdown-menu.show").wait_for()
    elif state == "quiz answered":
        page.locator("input[id^='po-quiz-ch01-']").first.check()
        page.locator("button[id^='po-quiz-ch01-'][id$='-check']").first.click()
        page.wait_for_function("document.querySelector(\"[id^='po-quiz-ch01-'][id$='-result']\").textContent.trim() !== ''")


CASES = [(path, width, "as loaded") for path in PAGES.values() for width in (1366, 375)]
CASES += [(PAGES["chapter (widgets)"], 375, "menu open"), (PAGES["chapter (widgets)"], 1366, "download menu open"),
          (PAGES["chapter (widgets)"], 1366, "quiz answered"), (PAGES["chapter (widgets)"], 375, "quiz answered")]


def _snapshot(page, scheme: str, key: str) -> int:
    page.emulate_media(color_scheme=scheme)  # the theme follows the system setting ('auto')
    page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
    return page.evaluate(SNAPSHOT, key)


@pytest.mark.parametrize("path, width, state", CASES)
def test_the_bundle_styles_every_element_as_the_original_sheets(site, make_page, path, width, state):
    """In light and dark mode: every element's computed style with the bundle, then with the
    original sheets in its place, in the same page."""
    watched = make_page(width=width)
    page = watched.goto(path)
    page.wait_for_load_state("networkidle")
    _open(page, state)
    # Colour changes fade and icons spin: stopped, in both snapshots, so each is taken at rest.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    assert _snapshot(page, "light", "bundle light") > 100
    _snapshot(page, "dark", "bundle dark")
    page.evaluate(SWAP_TO_ORIGINALS, _sources(site))
    assert page.evaluate(LINKED_SHEETS) == len(_sources(site))
    _snapshot(page, "dark", "original dark")
    _snapshot(page, "light", "original light")
    for scheme in ("light", "dark"):
        differences = page.evaluate(DIFFERENCES, [f"bundle {scheme}", f"original {scheme}"])
        assert not differences, (f"{path} at {width} px, {scheme}, {state}: bundle -> original sheets:\n"
                                 + "\n".join(differences))
    watched.assert_clean()


@pytest.mark.parametrize("selector, kept", [
    (".used", True), (".unused", False), ("#used", True), ("#unused", False),
    ("div.used > .unused", False), (".unused, .used", True),
    ("a:not(.unused)", True), (":is(.unused, .used) p", True), ("[class~=unused]", True),
    ("html[data-theme=dark] .used::before", True), (":root", True), (".bs-tooltip-top", True),
])
def test_a_rule_is_left_out_only_when_no_page_can_match_it(selector, kept):
    """Conservative: a class or id the site never spells out removes a rule only where every
    element must carry it; names inside :not(), :is(), [...] never do, and a prefix a script
    builds names from (\"bs-tooltip-\" + placement) keeps every class it starts."""
    import tinycss2
    from peaceops.sphinx_styles import can_match, vocabulary
    words, prefixes = vocabulary(['<p class="used" id="used">', 'el.classList.add("bs-tooltip-" + placement)'])
    prelude = tinycss2.parse_stylesheet(selector + "{}")[0].prelude
    assert can_match(prelude, words, prefixes) is kept


def test_a_bundle_is_reused_only_while_what_it_was_made_from_is_the_same(site, tmp_path):
    """Every build keeps the last bundle when the sheets and the pages' words are unchanged (it
    took 1.5 s to make), and makes it anew when they differ, or when the bundle or one of its
    cut-down fonts is not as that build left it."""
    import json
    import shutil
    from peaceops import sphinx_styles
    copy = tmp_path / "site"
    shutil.copytree(site / "_static" / "styles", copy / "_static" / "styles")
    text = (copy / sphinx_styles.BUNDLE).read_text(encoding="utf-8")
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"made_from": "inputs", "bundle": sphinx_styles._sha(text)}), encoding="utf-8")
    assert sphinx_styles._kept_bundle(copy, record, "inputs") == text
    assert sphinx_styles._kept_bundle(copy, record, "other inputs") is None
    font = next((copy / "_static" / "styles").glob("fa-solid-900.woff2"))
    font.write_bytes(font.read_bytes() + b"\0")
    assert sphinx_styles._kept_bundle(copy, record, "inputs") is None, "a changed font is made again"
    font.unlink()
    assert sphinx_styles._kept_bundle(copy, record, "inputs") is None, "a missing font is made again"
    shutil.copy(site / "_static" / "styles" / "fa-solid-900.woff2", font)
    (copy / sphinx_styles.BUNDLE).write_text(text + "\n.x{}", encoding="utf-8")
    assert sphinx_styles._kept_bundle(copy, record, "inputs") is None, "an edited bundle is made again"
