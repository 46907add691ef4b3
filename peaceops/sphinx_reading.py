"""Sphinx extension (loaded by peaceops.sphinxext): the learner's reading path and the reference
pages.

- Previous/Next follow the reading path: pages matched by `peaceops_side_pages` (_config.yml: the
  workbooks, the teachers' notebook) stay in the menu but are left out of it; each pattern's
  pages form a chain of their own.
- {course-plan}: the chapters with their estimated times and the total, from data/chapters.yml.
- {timeline}: a data table (data/<name>.csv: date, document, what_it_did, source) as a timeline.
- The glossary gets an A-Z index; every page that links a glossary term carries that term's
  definition (as JSON, read by _assets/glossary.js), so it shows on hover, focus or tap.
- Search: for each glossary term, the first page of the reading path that links it gets an
  index entry at that paragraph, which _assets/search.js ranks first.
"""
from __future__ import annotations

import fnmatch
import html
import json
import re
from datetime import date

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from . import data

DEFINES_PREFIX = "po-defines-"  # ids of the paragraphs where the reading path first links a term


# ---------------------------------------------------------------- the reading path (Previous/Next)

def reading_order(env) -> list[str]:
    """Every page in table-of-contents order, starting from the home page."""
    relations = env.collect_relations()
    order, page = [], env.config.root_doc
    while page and page not in order:  # bounded: each page once
        order.append(page)
        page = relations.get(page, [None, None, None])[2]
    return order


def _chain_of(app, docname: str) -> str:
    """'' for the reading path, otherwise the side-page pattern that matches the page."""
    return next((p for p in app.config.peaceops_side_pages if fnmatch.fnmatch(docname, p)), "")


def set_previous_next(app, pagename, templatename, context, doctree):
    """Point Previous/Next at the neighbours of the page in its own chain (see module docstring)."""
    order = reading_order(app.env)
    if pagename not in order:
        return
    chain = [d for d in order if _chain_of(app, d) == _chain_of(app, pagename)]
    i = chain.index(pagename)
    for key, neighbour in (("prev", chain[i - 1] if i > 0 else None),
                           ("next", chain[i + 1] if i + 1 < len(chain) else None)):
        context[key] = neighbour and {
            "link": app.builder.get_relative_uri(pagename, neighbour),
            "title": app.builder.render_partial(app.env.titles[neighbour])["title"],
        }


# ---------------------------------------------------------------- course plan and timeline

class CoursePlan(SphinxDirective):
    """A table of the chapters, each with its estimated time, and the total time."""

    def run(self):
        self.env.note_dependency(str(data.course_root() / "data" / "chapters.yml"))
        chapters = data.load_chapters()
        rows = [f"| {c['number']} | {{doc}}`{c['title']} </{c['file']}>` | {c['minutes']} min |" for c in chapters]
        total = sum(c["minutes"] for c in chapters)
        hours, minutes = divmod(total, 60)
        spoken = f"{hours} hours" + (f" {minutes} minutes" if minutes else "")
        table = ["| Chapter | Title | Estimated time |", "| --- | --- | --- |", *rows,
                 f"| | **All {len(chapters)} chapters** | **about {spoken}** |"]
        return self.parse_text_to_nodes("\n".join(table))


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def spoken_date(value: str) -> str:
    """'1999-10-22' -> '22 October 1999', '2000-08' -> 'August 2000', '2005' -> '2005'."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        date(*parts)  # refuses an impossible day
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        date(parts[0], parts[1], 1)  # refuses month 0 or 13
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 1:
        return str(parts[0])
    raise ValueError(value)


def timeline_rows(name: str) -> list[dict]:
    """The rows of data/<name>.csv (read_table checks them and their sources), each with its date
    as a reader says it ("when"); a date that is not one stops the build with the usual message."""
    path = data.course_root() / "data" / f"{name}.csv"
    _, rows = data.read_table(name, ["date", "document", "what_it_did"])
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            row["when"] = spoken_date(row["date"].strip())
        except (ValueError, TypeError):
            data.fail(path, f"row {number}", "date", f"is not a date: {row['date'][:40]!r}",
                      "write it as YYYY, YYYY-MM or YYYY-MM-DD")
    return rows


class Timeline(SphinxDirective):
    """data/<name>.csv as a timeline: one entry per row, with its date, the document, what it did
    and its sources, cited (so each links to the bibliography)."""
    required_arguments = 1

    def run(self):
        name = self.arguments[0]
        self.env.note_dependency(str(data.course_root() / "data" / f"{name}.csv"))
        items = nodes.bullet_list(classes=["po-timeline"])
        for row in timeline_rows(name):
            item = nodes.list_item()
            item += nodes.raw("", f'<time class="po-timeline-date" datetime="{html.escape(row["date"].strip())}">'
                                  f'{html.escape(row["when"])}</time>', format="html")
            document = nodes.paragraph(classes=["po-timeline-document"])
            document += nodes.strong(text=row["document"])
            item += document
            item += nodes.paragraph(text=row["what_it_did"])
            keys = ",".join(k.strip() for k in row["source"].split(";"))
            item += self.parse_text_to_nodes(f"Source: {{cite:t}}`{keys}`")
            items += item
        return [items]


# ---------------------------------------------------------------- glossary: A-Z and definitions

def _plain_definition(definition: nodes.Node) -> str:
    """A definition as one line of plain text, without its citations (the tooltip is a reminder;
    the glossary page keeps the sources)."""
    definition = definition.deepcopy()
    for xref in list(definition.findall(addnodes.pending_xref)):
        if xref.get("refdomain") == "cite":
            xref.parent.remove(xref)
    text = re.sub(r"\s+", " ", definition.astext()).strip()
    return re.sub(r"\s+([.,;:])", r"\1", text)


def read_glossary(app, doctree):
    """On a page with a glossary: give the first term of each letter an anchor, put an A-Z index
    before the glossary, and keep each term's definition for the pages that link it."""
    env = app.env
    found = {}
    for glossary in list(doctree.findall(addnodes.glossary)):
        letters = {}
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term)]
            definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
            for term in terms:
                if not term["ids"]:
                    continue
                found[term["ids"][0]] = {"term": term.astext(), "text": _plain_definition(definition) if definition else ""}
                letter = term.astext()[:1].upper()
                if letter.isalpha() and letter not in letters:
                    letters[letter] = f"glossary-{letter.lower()}"
                    term["ids"].append(letters[letter])
        links = "".join(f'<li><a href="#{anchor}">{letter}</a></li>' for letter, anchor in letters.items())
        index = nodes.raw("", f'<nav class="po-az" aria-label="Glossary from A to Z"><ul>{links}</ul></nav>',
                          format="html")
        glossary.parent.insert(glossary.parent.index(glossary), index)
    if found:
        env.peaceops_glossary = {**getattr(env, "peaceops_glossary", {}), **found}
        env.peaceops_glossary_pages = {*getattr(env, "peaceops_glossary_pages", set()), env.docname}
    # the terms each page links, in the order it links them (for the search ranking below)
    env.peaceops_terms_linked = getattr(env, "peaceops_terms_linked", {})
    env.peaceops_terms_linked[env.docname] = list(dict.fromkeys(
        x["reftarget"].lower() for x in doctree.findall(addnodes.pending_xref)
        if x.get("refdomain") == "std" and x.get("reftype") == "term"))


def purge_doc(app, env, docname):
    getattr(env, "peaceops_terms_linked", {}).pop(docname, None)
    if docname in getattr(env, "peaceops_glossary_pages", set()):
        env.peaceops_glossary = {}  # read again with its page
        env.peaceops_glossary_pages.discard(docname)


def merge_info(app, env, docnames, other):
    env.peaceops_glossary = {**getattr(env, "peaceops_glossary", {}), **getattr(other, "peaceops_glossary", {})}
    env.peaceops_glossary_pages = {*getattr(env, "peaceops_glossary_pages", set()),
                                   *getattr(other, "peaceops_glossary_pages", set())}
    env.peaceops_terms_linked = {**getattr(env, "peaceops_terms_linked", {}),
                                 **{d: getattr(other, "peaceops_terms_linked", {}).get(d, []) for d in docnames}}


def _term_links(doctree):
    """(reference node, glossary anchor) for every resolved {term} link of a page."""
    for ref in doctree.findall(nodes.reference):
        if "#" in ref.get("refuri", "") and any("std-term" in c.get("classes", []) for c in ref.children
                                                if isinstance(c, nodes.Element)):
            yield ref, ref["refuri"].split("#", 1)[1]


def defining_pages(app) -> dict[str, str]:
    """term (lower case) -> the first page of the reading path that links it."""
    env, first = app.env, {}
    for page in reading_order(env):
        if _chain_of(app, page) or page in getattr(env, "peaceops_glossary_pages", set()):
            continue
        for term in env.peaceops_terms_linked.get(page, []):
            first.setdefault(term, page)
    return first


def index_defining_paragraphs(app, doctree, docname):
    """Add a search index entry for each term this page is the first to link, anchored at the
    paragraph that links it (so the search result opens there and quotes it)."""
    env = app.env
    mine = {t for t, page in defining_pages(app).items() if page == docname}
    if not mine:
        return
    glossary = getattr(env, "peaceops_glossary", {})  # glossary anchor -> term and definition
    done = set()
    for ref, anchor in _term_links(doctree):
        entry = glossary.get(anchor)
        if not entry or entry["term"].lower() in done or entry["term"].lower() not in mine:
            continue
        done.add(entry["term"].lower())
        block = ref.parent
        while block is not None and not isinstance(block, (nodes.paragraph, nodes.list_item, nodes.entry)):
            block = block.parent
        if block is None:
            continue
        target = DEFINES_PREFIX + nodes.make_id(entry["term"])
        block["ids"].append(target)
        block.parent.insert(block.parent.index(block),
                            addnodes.index(entries=[("single", entry["term"], target, "main", None)]))


def embed_term_definitions(app, pagename, templatename, context, doctree):
    """Put the definitions of the terms this page links at the end of its body, as JSON data (not
    markup: '<' is escaped, so no definition can end the script element), and load the script
    that shows them."""
    if doctree is None or "body" not in context:
        return
    glossary = getattr(app.env, "peaceops_glossary", {})
    used = {anchor: glossary[anchor] for _, anchor in _term_links(doctree) if anchor in glossary}
    if not used:
        return
    payload = json.dumps(used, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    context["body"] += f'\n<script type="application/json" id="po-glossary-terms">{payload}</script>\n'
    app.add_js_file("glossary.js", defer="defer")


def setup(app):
    app.add_config_value("peaceops_side_pages", [], "html")
    app.add_directive("course-plan", CoursePlan)
    app.add_directive("timeline", Timeline)
    app.connect("doctree-read", read_glossary)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("doctree-resolved", index_defining_paragraphs)
    app.connect("html-page-context", set_previous_next)
    app.connect("html-page-context", embed_term_definitions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
