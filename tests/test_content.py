"""Content checks: each chapter has what the course promises (objectives, prose of the right
length, a fictional worked case, takeaways, discussion questions, its quiz and activity), the
glossary and the text agree, every fact table is sourced, and no internal link is broken."""
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from peaceops import data

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = data.load_chapters()
ROLE = re.compile(r"\{[a-z:-]+\}`([^`]*)`")  # {term}`text <Target>`, {cite:p}`key`, ...


def chapter_text(chapter):
    return (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")


def prose_words(markdown):
    # widgets and figures (alt text, caption) are not prose
    body = re.sub(r"```\{(course-figure|quiz|activity|discussion|spectrum)\}.*?```", "", markdown, flags=re.S)
    body = ROLE.sub(lambda m: re.sub(r"<[^>]*>", "", m.group(1)) if "<" in m.group(1) or " " in m.group(1) else "", body)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", body))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c["id"] for c in CHAPTERS])
def test_chapter_has_everything_a_learner_expects(chapter):
    text = chapter_text(chapter)
    cid = chapter["id"]
    problems = []
    if f"```{{chapter-card}} {cid}" not in text:
        problems.append(f"no {{chapter-card}} {cid} directive (it shows the objectives and time)")
    for heading in ("## Key takeaways", "## Discussion questions", "## Check your understanding"):
        if heading not in text:
            problems.append(f"no '{heading}' section")
    if f"```{{quiz}} {cid}\n" not in text:
        problems.append(f"no {{quiz}} {cid} directive")
    own = [a for a in data.activities() if data.load_activity(a)["chapter"] == cid]
    if not own or not any(f"```{{activity}} {a}\n" in text for a in own):
        problems.append(f"no {{activity}} directive showing one of the chapter's activities {own}")
    if "kernelspec" in text or "{code-cell}" in text:
        problems.append("a kernelspec or code cell: chapter pages are plain MyST, widgets are directives")
    if not re.search(r"(?i)fictional", text):
        problems.append("no clearly labelled fictional worked case")
    words = prose_words(text)
    if not 1500 <= words <= 3100:
        problems.append(f"{words} words of prose (the course's range is 1,500-3,000)")
    assert not problems, f"{chapter['file']}.md: " + "; ".join(problems)


def test_chapters_and_workbooks_are_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f"file: {chapter['file']}" in toc
        assert (ROOT / "notebooks" / f"{chapter['id']}-workbook.ipynb").is_file()
        assert f"file: notebooks/{chapter['id']}-workbook" in toc


def _glossary_terms():
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").split("```{glossary}", 1)[1]
    return [line.strip() for line in text.splitlines() if line and not line.startswith((" ", ":", "`"))]


def _terms_used():
    used = {}
    for page in (ROOT / "book").glob("*.md"):
        if page.name == "glossary.md":
            continue
        for shown in re.findall(r"\{term\}`([^`]+)`", page.read_text(encoding="utf-8")):
            target = re.search(r"<([^>]+)>", shown)
            used.setdefault((target.group(1) if target else shown).strip().lower(), page.name)
    return used


def test_every_glossary_term_is_used_and_every_used_term_defined():
    defined = {t.lower() for t in _glossary_terms()}
    used = _terms_used()
    assert not sorted(defined - set(used)), f"defined in the glossary but never linked from a page: {sorted(defined - set(used))}"
    undefined = {t: page for t, page in used.items() if t not in defined}
    assert not undefined, f"linked but not defined in book/glossary.md: {undefined}"


@pytest.mark.parametrize("name,columns", [("seminars", ["order", "event", "place", "date", "partner"]),
                                          ("timeline", ["date", "document", "what_it_did"])])
def test_fact_tables_are_sourced(name, columns):
    table = data.load_table(name, columns)  # raises, naming the row, if a source is missing or unknown
    assert len(table) > 0


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def test_no_broken_internal_link(site):
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = parser
    broken = []
    for path, parser in pages.items():
        if "_static" in path.parts:
            continue
        for href in parser.hrefs:
            url = urlsplit(href)
            if url.scheme or url.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site)} -> {href}")
            elif url.fragment and target in pages and unquote(url.fragment) not in pages[target].ids:
                broken.append(f"{path.relative_to(site)} -> {href} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken))[:40])


# Claims an accuracy review (issue 11) found wrong or unsourced, as a reader would see them on a
# page. Each pattern is matched case-insensitively against the visible text of every built page
# (scripts and widget state excluded), with whitespace collapsed; the message says what the
# sources do support, so whoever trips the test knows what to write instead.
WITHDRAWN_CLAIMS = {
    r"13 June 2006": "no checkable source gives the day the IMPP guidelines were endorsed: say 2006",
    r"Integrated Mission Planning Team": "no checkable source gives the IMPP field team's name: "
                                         "describe it as a planning team in the field",
    r"Contact Group[^.]{0,120}suggested (and discussed )?at the (Oslo )?conference": "the proceedings "
        "say only that their chapter 9 addresses the suggestion, not who made it or where",
    r"only by its chapter title": "the proceedings give chapter 9 to the Contact Group; the course's "
                                  "excerpt mentions it once, in section 1.1",
    r"small,? (and )?rapid": "resolution 61/276 treats QIPs as confidence-building; 'small, rapid' is not its wording",
    r"conference's closing message|summed up the conference|verdict on the whole discussion": "'do things differently' is one "
        "participant's remark; what was agreed was to revise implementing arrangements",
    r"participants (concluded|drew the conclusion) that constant change": "participants raised the "
        "'moving target'; the conclusion is the report authors' own",
    r"success, participants said": "the executive summary says this in its own voice",
    r"provided departments, institutions and governments back it": "support is a precondition for "
        "better integration, not a condition on its being necessary",
    r"They also agreed that the UN, Member States": "that sentence is not part of the 'It was agreed' clause",
    r"faster recruitment": "the source notes only the negative impact of slow recruitment",
    r"each step[^.]{0,40}(costing|costs) more institutional and political capital": "the proceedings give the "
        "two ends and 'varying levels'; the steps between are the course's scaffold",
}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style") and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def test_withdrawn_claims_do_not_reappear(site):
    from conftest import built_pages
    found = []
    for page in built_pages(site):
        parser = _VisibleText()
        parser.feed((site / page).read_text(encoding="utf-8"))
        text = re.sub(r"\s+", " ", " ".join(parser.parts))
        for pattern, why in WITHDRAWN_CLAIMS.items():
            for match in re.finditer(pattern, text, flags=re.I):
                found.append(f"{page}: '{match.group(0)}' ({why})")
    assert not found, "withdrawn claims are back on the pages:\n" + "\n".join(found)
