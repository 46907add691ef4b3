"""Finding one's way, in Chromium: the menu and the page contents on a phone and a tablet (by tap,
click and keyboard), the reading path that Previous/Next follow, focus rings on the header
buttons, glossary definitions beside linked terms, the timeline on a phone, and search."""
import csv
import re

import pytest

from conftest import ROOT, SITE, WatchedPage
from peaceops import data

HOME = "book/intro.html"
CH01 = "book/ch01-what-integration-means.html"
DIALOGS = {"menu": (".primary-toggle", "#pst-primary-sidebar-modal", ".bd-docs-nav"),
           "contents": (".secondary-toggle", "#pst-secondary-sidebar-modal", ".page-toc")}


@pytest.fixture
def device(browser, server):
    """device(width, touch=False, color_scheme="light") -> a WatchedPage in a fresh profile."""
    contexts = []

    def factory(width: int, touch: bool = False, color_scheme: str = "light") -> WatchedPage:
        context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=touch,
                                      is_mobile=touch, color_scheme=color_scheme)
        contexts.append(context)
        return WatchedPage(context, server)

    yield factory
    for context in contexts:
        context.close()


def _is_open(page, dialog):
    return page.locator(dialog).evaluate("d => d.open")


def _focus_inside(page, dialog):
    return page.evaluate("sel => document.querySelector(sel).contains(document.activeElement)", dialog)


def _toggle_has_focus(page, toggle):
    """Focus is back on the button that opened the panel: the dialog's close event moves it, and
    that event is dispatched after the key press returns, so allow it up to 3 s."""
    try:
        page.wait_for_function("sel => document.activeElement === document.querySelector(sel)", arg=toggle, timeout=3000)
        return True
    except Exception:   # playwright's TimeoutError: focus did not come back
        return False


@pytest.mark.parametrize("width", [375, 768])
@pytest.mark.parametrize("which", ["menu", "contents"])
def test_menu_and_contents_open_and_close_by_touch(device, width, which):
    toggle, dialog, content = DIALOGS[which]
    watched = device(width, touch=True)
    page = watched.goto(CH01)
    button = page.locator(toggle)
    assert button.is_visible(), f"the {which} button is not visible at {width} px"
    assert not _is_open(page, dialog)
    button.tap()
    page.wait_for_function("sel => document.querySelector(sel).open", arg=dialog, timeout=3000)
    assert page.locator(f"{dialog} {content}").first.is_visible(), f"the {which} shows nothing"
    assert _focus_inside(page, dialog)
    close = page.locator(f"{dialog} .po-dialog-close")
    box = close.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size
    close.tap()
    assert not _is_open(page, dialog)
    assert _toggle_has_focus(page, toggle)
    assert page.locator(".po-dialog-close").count() == 0  # nothing left behind in the sidebar
    # and again: it opens a second time, with one Close button
    button.tap()
    page.wait_for_function("sel => document.querySelector(sel).open", arg=dialog, timeout=3000)
    assert page.locator(f"{dialog} .po-dialog-close").count() == 1
    watched.assert_clean()


@pytest.mark.parametrize("width", [375, 768])
@pytest.mark.parametrize("which", ["menu", "contents"])
def test_menu_and_contents_open_and_close_by_keyboard(device, width, which):
    toggle, dialog, content = DIALOGS[which]
    watched = device(width)
    page = watched.goto(CH01)
    page.locator(toggle).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("sel => document.querySelector(sel).open", arg=dialog, timeout=3000)
    assert _focus_inside(page, dialog)
    page.keyboard.press("Tab")  # moves within the dialog (modal): the page behind is inert
    assert _focus_inside(page, dialog)
    page.keyboard.press("Escape")
    assert not _is_open(page, dialog)
    assert _toggle_has_focus(page, toggle)
    # a mouse click opens it too, and the Close button (by keyboard) closes it
    page.locator(toggle).click()
    page.wait_for_function("sel => document.querySelector(sel).open", arg=dialog, timeout=3000)
    page.locator(f"{dialog} .po-dialog-close").focus()
    page.keyboard.press("Enter")
    assert not _is_open(page, dialog)
    assert _toggle_has_focus(page, toggle)
    watched.assert_clean()


def test_one_search_box_and_one_title_on_a_wide_screen(device):
    page = device(1366).goto(HOME)
    visible_search = [b for b in page.locator(".search-button-field, .search-button").all() if b.is_visible()]
    assert len(visible_search) == 1
    title = data.course_root().joinpath("_config.yml").read_text(encoding="utf-8").split("title:", 1)[1].splitlines()[0].strip()
    sidebar = page.locator(".bd-sidebar-primary")
    assert sidebar.inner_text().count(title) == 1


def _path(url, base):
    return url[len(base):].split("#")[0]


def test_previous_next_follow_the_reading_path(device, server):
    """Home -> How to use -> the knowledge check before the course -> chapters 1-10 in order -> ...
    -> final assessment -> reference; no
    workbook or teacher page on the way, and Previous retraces every step."""
    page = device(1366).goto(HOME)
    chain = [HOME]
    for _ in range(60):  # bounded: the course has fewer pages
        following = page.locator(".prev-next-area a.right-next")
        if following.count() == 0:
            break
        with page.expect_navigation():
            following.click()
        chain.append(_path(page.url, server))
    chapters = [f"{c['file']}.html" for c in data.load_chapters()]
    assert chain[:3 + len(chapters)] == [HOME, "book/how-to-use.html", "book/check-before.html", *chapters]
    assert "book/exam.html" in chain
    after_exam = chain[chain.index("book/exam.html") + 1] if chain[-1] != "book/exam.html" else None
    assert after_exam is None or not after_exam.startswith("notebooks/")
    assert not [p for p in chain if p.startswith("notebooks/")], chain
    assert len(chain) == len(set(chain))
    # Previous retraces the same path
    for earlier, later in zip(chain[-4:], chain[-3:]):
        page.goto(server + later)
        with page.expect_navigation():
            page.locator(".prev-next-area a.left-prev").click()
        assert _path(page.url, server) == earlier


def test_each_chapter_links_its_workbook(device, server):
    page = device(1366).page
    for chapter in data.load_chapters():
        page.goto(server + f"{chapter['file']}.html")
        link = page.locator(".po-chapter-card a", has_text="Run this chapter in Jupyter")
        assert link.count() == 1, chapter["id"]
        with page.expect_navigation():
            link.click()
        assert _path(page.url, server) == f"notebooks/{chapter['id']}-workbook.html"


def test_how_to_use_gives_the_course_time_from_the_chapter_estimates(device):
    page = device(1366).goto("book/how-to-use.html")
    minutes = sum(c["minutes"] for c in data.load_chapters())
    hours, rest = divmod(minutes, 60)
    expected = f"about {hours} hours" + (f" {rest} minutes" if rest else "")
    assert expected in page.locator("article").inner_text()


def test_home_page_fits_a_phone_and_its_lists_have_no_stray_colons(device):
    page = device(375).goto(HOME)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("article h1").evaluate("h => h.scrollWidth <= h.clientWidth")  # no word runs off
    text = page.locator("article").inner_text()
    assert not re.search(r"^\s*:", text, flags=re.M), "a definition-list line the parser did not read"
    assert "Self-paced." in text


@pytest.mark.parametrize("width", [375, 1366])
def test_header_buttons_show_a_focus_ring(device, width):
    """Tabbing through the page header, every control shows a visible outline."""
    page = device(width).goto(CH01)
    seen = {}
    for _ in range(150):  # bounded: the header follows the skip link and the sidebar's links
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || !el.closest('.bd-header-article')) return null;
            const s = getComputedStyle(el);
            return {name: el.getAttribute('aria-label') || el.title || el.textContent.trim(),
                    style: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }""")
        if info:
            seen[info["name"]] = info
        elif seen:
            break
    assert len(seen) >= 3, seen  # menu, download, full screen or colour mode ...
    for name, info in seen.items():
        assert info["style"] != "none" and info["width"] >= 2, (name, info)


def test_back_to_top_does_not_cover_text_on_a_phone(device):
    page = device(375, touch=True).goto(CH01)
    page.evaluate("window.scrollTo(0, 4000)")
    page.wait_for_timeout(200)
    page.evaluate("window.scrollTo(0, 3400)")  # the theme shows it when the reader scrolls up
    page.wait_for_timeout(200)
    assert page.evaluate("document.getElementById('pst-back-to-top').style.display") == "block"  # the theme asked
    assert not page.locator("#pst-back-to-top").is_visible()


def _glossary_definition(page, server, anchor):
    page.goto(server + f"book/glossary.html#{anchor}")
    return page.locator(f"[id='{anchor}'] + dd").inner_text()


def test_glossary_term_shows_its_definition_on_hover_focus_and_escape_closes_it(device, server):
    watched = device(1366)
    page = watched.goto(CH01)
    link = page.locator("a.po-term-link").first
    anchor = link.get_attribute("href").split("#", 1)[1]
    tip_id = link.get_attribute("aria-describedby")
    tip = page.locator(f"#{tip_id}")
    assert tip.get_attribute("role") == "tooltip"
    assert not tip.is_visible()
    link.hover()
    assert tip.is_visible()
    term = link.inner_text()
    shown = tip.inner_text()
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    page.mouse.move(0, 0)
    link.focus()  # keyboard focus shows it too
    assert tip.is_visible()
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    assert _path(page.url, server) == CH01  # never left the page
    watched.assert_clean()
    # what it shows is the glossary's definition (without its citations)
    definition = _glossary_definition(page, server, anchor)
    first_words = re.sub(r"\s+", " ", definition).split(" (")[0].split(" [")[0][:60]
    assert first_words in re.sub(r"\s+", " ", shown), (term, shown, definition)


def test_glossary_term_on_a_touch_screen_first_tap_shows_second_tap_follows(device, server):
    page = device(375, touch=True).goto(CH01)
    link = page.locator("a.po-term-link").first
    link.scroll_into_view_if_needed()
    tip = page.locator(f"#{link.get_attribute('aria-describedby')}")
    link.tap()
    assert tip.is_visible()
    box, viewport = tip.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert _path(page.url, server) == CH01
    link.tap()
    page.wait_for_url("**/book/glossary.html#*", timeout=10000)


def test_glossary_has_an_a_to_z_index(device):
    page = device(375).goto("book/glossary.html")
    letters = page.locator("nav.po-az a")
    assert letters.count() >= 10
    for link in letters.all():
        letter = link.inner_text().strip()
        target = page.locator(f"[id='{link.get_attribute('href')[1:]}']").locator("xpath=ancestor-or-self::dt")
        assert target.count() == 1 and target.inner_text().strip()[:1].upper() == letter


def test_timeline_reads_on_a_phone(device):
    watched = device(375)
    page = watched.goto("book/timeline.html")
    with (ROOT / "data" / "timeline.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    entries = page.locator("ul.po-timeline > li")
    assert entries.count() == len(rows)
    assert page.locator("article table").count() == 0  # no data table with an index column
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for entry, row in zip(entries.all(), rows):
        assert entry.locator("time").get_attribute("datetime") == row["date"]
        assert row["document"] in entry.inner_text()  # whole, not cut
        sources = entry.locator("a[href*='bibliography.html#']")
        assert sources.count() >= 1 and sources.first.inner_text().strip()
    watched.assert_clean()


def test_search_ranks_the_explaining_chapter_first_and_quotes_its_text(device, server):
    pages = [p for p in SITE.joinpath("book").glob("ch*.html") if 'id="po-defines-mandate"' in p.read_text(encoding="utf-8")]
    assert len(pages) == 1, "one chapter is marked as where 'Mandate' is first explained"
    chapter = f"book/{pages[0].name}"
    watched = device(1366)
    page = watched.goto("search.html?q=mandate")
    page.wait_for_selector("#search-results li p.context", timeout=15000)
    first = page.locator("#search-results li").first
    assert first.locator("a").first.get_attribute("href").startswith(chapter)
    snippet = re.sub(r"\s+", " ", first.locator("p.context").inner_text()).strip(". ")
    assert "mandate" in snippet.lower()
    glossary = page.locator("#search-results li", has=page.locator("a[href^='book/glossary.html#term-Mandate']"))
    definition = glossary.locator("p.context").inner_text()
    assert definition.startswith("Mandate: ") and "#" not in definition and len(definition) > 40  # term and definition
    page.goto(server + chapter)
    text = re.sub(r"\s+", " ", page.locator("#po-defines-mandate").inner_text())
    assert snippet[20:80] in text  # the paragraph itself, not a table of contents
    watched.assert_clean()


def test_search_snippets_quote_the_page_not_its_contents_list(device):
    page = device(1366).goto("search.html?q=ceasefire")
    page.wait_for_selector("#search-results li p.context", timeout=15000)
    for snippet in page.locator("#search-results li p.context").all():
        assert "ceasefire" in snippet.inner_text().lower()
        assert not snippet.inner_text().lstrip(". ").startswith("Contents")


@pytest.mark.parametrize("width", [375, 1366])
def test_search_icon_does_not_cover_the_typed_text(device, width):
    page = device(width).goto("search.html")
    form = page.locator(".bd-search-container form.bd-search")
    field = form.locator("input[name='q']")
    field.fill("mandate")
    icon = form.locator(".fa-magnifying-glass").bounding_box()
    text_start = field.evaluate("el => el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft)")
    assert icon["x"] + icon["width"] <= text_start + 0.5


def test_timeline_refuses_a_date_that_is_not_one(tmp_path, monkeypatch):
    """A wrong date in data/timeline.csv stops the build with a message naming the file, the row
    and the fix, and leaves the file as it was."""
    import shutil
    from peaceops.data import DataError
    from peaceops.sphinx_reading import timeline_rows
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    monkeypatch.setenv("PEACEOPS_ROOT", str(tmp_path))
    assert [r["when"] for r in timeline_rows("timeline")][:2] == ["22 October 1999", "August 2000"]
    path = tmp_path / "data" / "timeline.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2000-08,", "2000-13,", 1), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(DataError) as error:
        timeline_rows("timeline")
    assert str(error.value) == ("data/timeline.csv: row 3: field 'date' is not a date: '2000-13'. "
                                "Fix: write it as YYYY, YYYY-MM or YYYY-MM-DD.")
    assert path.read_bytes() == before
