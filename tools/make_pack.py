#!/usr/bin/env python3
"""The facilitator's print pack (`make pack`): everything a seminar needs on paper, as PDF, offline.

    .venv/bin/python tools/make_pack.py        (what `make pack` runs, after both editions are built)

Everything is drawn from the sources the book itself uses, so paper never drifts from screen:
- for every decision activity (data/activities/): the scenario briefs, one per page; a decision
  grid per scenario for groups to fill in (A3 landscape: one row per decision, a box per
  option, a column for the reason); and the facilitator's verdict sheet (every rule in words,
  with the feedback to read aloud), for rooms without devices;
- for the role-play: the situation brief, the role cards one per page, and the inject slips,
  one per page, each with its release time and who receives it (book/instructor/simulation-injects.md);
- a one- or two-page summary handout per chapter: its objectives, key takeaways, figures and
  discussion questions (the full chapter prints with `make pdf`);
- the facilitator's guide: every page of the instructor edition's "For facilitators" part
  (programmes, seminar plans with answer keys, run sheet, injects, debrief) as one PDF.

Writes _build/pack/ with index.html listing every file. Chromium prints each document (the
pages are made here, every text escaped) from 127.0.0.1; nothing is fetched from elsewhere.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import sys
import threading
from pathlib import Path

from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from make_slides import plain  # noqa: E402  (one MyST-line-to-safe-HTML rule for slides and paper)
from peaceops import data  # noqa: E402
from print_pdf import CHROMIUM_ARGS, pages_in_order  # noqa: E402
from serve import make_server  # noqa: E402

OUT = ROOT / "_build" / "pack"
LEARNER_SITE = ROOT / "_build" / "html"
INSTRUCTOR_ROOT = ROOT / "_build" / "instructor"
INSTRUCTOR_SITE = INSTRUCTOR_ROOT / "_build" / "html"
VERDICT_WORDS = {"good": "Strength", "caution": "Caution", "problem": "Problem"}

STYLE = """
@page { size: A4; margin: 16mm; }
@page grid { size: A3 landscape; margin: 14mm; }
body { font: 11.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; margin: 0; }
.sheet { break-after: page; }
.sheet:last-child { break-after: auto; }
.grid { page: grid; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 9pt; margin: 0 0 .3em; }
h1 { font-size: 17pt; margin: 0 0 .5em; } h2 { font-size: 13pt; margin: 1em 0 .3em; }
.fictional { border: 1.5pt solid #000; padding: .3em .6em; display: inline-block; font-weight: bold; }
table { border-collapse: collapse; width: 100%; } tr { break-inside: avoid; } th, td { border: 1pt solid #000; padding: .45em; vertical-align: top; text-align: left; }
.grid td.reason { width: 28%; } .grid li { list-style: none; margin: .25em 0; } .grid ul { padding: 0; margin: 0; }
.box { display: inline-block; width: .9em; height: .9em; border: 1pt solid #000; margin-right: .4em; vertical-align: -.1em; }
.slip { border: 1.5pt dashed #000; padding: 1em 1.2em; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: 0 0 1em; }
.meta dt { font-weight: bold; } .meta dd { margin: 0; }
.verdict { font-weight: bold; white-space: nowrap; }
.summary { font-size: 10pt; } .summary ul, .summary ol { margin: .2em 0; padding-left: 1.3em; }
figure { margin: .6em 0; break-inside: avoid; text-align: center; }
figure img, figure object, figure svg { max-width: 100%; max-height: 70mm; width: auto; height: auto; } figcaption { font-size: 9pt; text-align: left; }
a { color: inherit; text-decoration: none; } .headerlink, .po-figure-full { display: none; }
"""


def document(title: str, sheets: list[str]) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(sheets)}</body></html>")


def sheet(kicker: str, title: str, body: str, cls: str = "") -> str:
    return (f'<section class="sheet {cls}"><p class="kicker">{html.escape(kicker)}</p>'
            f"<h1>{plain(title)}</h1>{body}</section>")


# ---- decision activities ------------------------------------------------------------------

def options_of(decision: dict) -> list[tuple[str, str]]:
    """(value, label) for every option a decision offers; scale levels count from 1."""
    if decision["kind"] == "scale":
        return [(str(i), f"{i}. {label}") for i, label in enumerate(decision["levels"], start=1)]
    return [(o["id"], o["label"]) for o in decision["options"]]


def condition_in_words(decision: dict, cond: dict) -> str:
    """A rule's condition on one decision, as a facilitator reads it aloud."""
    label = dict(options_of(decision))
    if decision["kind"] == "scale":
        low, high = cond.get("min", 1), cond.get("max", len(decision["levels"]))
        chosen = [label[str(i)] for i in range(low, high + 1)]
    elif "is" in cond:
        chosen = [label[cond["is"]]]
    elif "in" in cond:
        chosen = [label[v] for v in cond["in"]]
    else:
        parts = []
        if "includes" in cond:
            parts.append("includes " + " and ".join(label[v] for v in _listed(cond["includes"])))
        if "excludes" in cond:
            parts.append("leaves out " + " and ".join(label[v] for v in _listed(cond["excludes"])))
        if "min_count" in cond:
            parts.append(f"at least {cond['min_count']} chosen")
        if "max_count" in cond:
            parts.append(f"at most {cond['max_count']} chosen")
        return f"{decision['label']}: " + "; ".join(parts)
    return f"{decision['label']}: " + " or ".join(chosen)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def activity_pack(act: dict) -> dict[str, str]:
    """The activity's briefs, grids and verdict sheet, as HTML documents by file stem."""
    decisions = {d["id"]: d for d in act["decisions"]}
    briefs, grids, verdicts = [], [], []
    for sc in act["scenarios"]:
        fictional = '<p class="fictional">A fictional situation, invented for teaching</p>' if sc["fictional"] else ""
        briefs.append(sheet(f"{act['title']}: scenario brief", sc["title"],
                            f"{fictional}<p>{plain(sc['brief'])}</p><h2>What you decide</h2><p>{plain(act['instructions'])}</p>"
                            "<ul>" + "".join(f"<li>{plain(d['label'])}</li>" for d in act["decisions"]) + "</ul>"))
        rows = "".join(
            f"<tr><th scope='row'>{plain(d['label'])}{' (tick all that apply)' if d['kind'] == 'multi' else ''}</th>"
            f"<td><ul>{''.join(f'<li><span class=box></span>{plain(text)}</li>' for _, text in options_of(d))}</ul></td>"
            "<td class='reason'></td></tr>" for d in act["decisions"])
        grids.append(sheet(f"{act['title']}: decision grid (one per group)", sc["title"],
                           f"{fictional}<p>Group: ______________________</p><table><thead><tr><th scope='col'>Decision</th>"
                           f"<th scope='col'>Your choice</th><th scope='col'>One reason</th></tr></thead><tbody>{rows}</tbody></table>",
                           "grid"))
        rules = "".join(
            f"<tr><td>{'<br>'.join(plain(condition_in_words(decisions[k], c)) for k, c in rule['when'].items())}</td>"
            f"<td class='verdict'>{VERDICT_WORDS[rule['verdict']]}</td><td>{plain(rule['message'])}</td></tr>"
            for rule in sc["rules"])
        verdicts.append(sheet(f"{act['title']}: verdicts to read aloud (facilitator)", sc["title"],
                              "<table><thead><tr><th scope='col'>When the group chose</th><th scope='col'>Verdict</th>"
                              f"<th scope='col'>Read aloud</th></tr></thead><tbody>{rules}</tbody></table>"))
    return {f"{act['id']}-briefs": document(f"{act['title']}: scenario briefs", briefs),
            f"{act['id']}-grids": document(f"{act['title']}: decision grids", grids),
            f"{act['id']}-verdicts": document(f"{act['title']}: verdict sheet", verdicts)}


# ---- chapter summaries --------------------------------------------------------------------

def section_items(markdown: str, heading: str) -> list[str]:
    """The list items under a '## heading' of a chapter (the slides read them the same way)."""
    from make_slides import section
    return section(markdown, heading)


def figures_of(page: Path) -> list[str]:
    """The figures of a built page, images inlined (data: URLs), so the summary prints them as the
    chapter shows them."""
    import base64
    out = []
    for fig in re.findall(r"<figure\b.*?</figure>", page.read_text(encoding="utf-8"), flags=re.S):
        def inline(match):
            target = (page.parent / html.unescape(match.group(2))).resolve()
            if not target.is_file() or LEARNER_SITE.resolve() not in target.parents:
                return match.group(0)
            kind = "image/svg+xml" if target.suffix == ".svg" else f"image/{target.suffix.lstrip('.')}"
            return f'{match.group(1)}="data:{kind};base64,{base64.b64encode(target.read_bytes()).decode()}"'
        out.append(re.sub(r'\b(src|data)="([^"]+)"', inline, fig))
    return out


def summary(chapter: dict) -> str:
    source = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
    objectives = "".join(f"<li>{plain(o['text'])}</li>" for o in chapter["objectives"])
    takeaways = "".join(f"<li>{plain(t)}</li>" for t in section_items(source, "Key takeaways"))
    questions = "".join(f"<li>{plain(q['prompt'])}</li>" for q in data.load_discussion(chapter["id"])["questions"])
    figures = "".join(figures_of(LEARNER_SITE / f"{chapter['file']}.html"))
    body = (f"<p>About {chapter['minutes']} minutes with the activities and the quiz. "
            f"The full chapter, with its sources, is in the book.</p>"
            f"<h2>You will be able to</h2><ul>{objectives}</ul><h2>Key points</h2><ul>{takeaways}</ul>"
            + (f"<div class='figures'>{figures}</div>" if figures else "")
            + (f"<h2>Questions to discuss</h2><ol>{questions}</ol>" if questions else ""))
    return document(f"Chapter {chapter['number']}: {chapter['title']} (summary)",
                    [sheet(f"Chapter {chapter['number']}: summary handout", chapter["title"], body, "summary")])


# ---- the role-play's injects --------------------------------------------------------------

def injects(markdown: str) -> list[dict]:
    """The injects of the run sheet: title, release time, text to hand out, roles it hits and
    the private lines (role, text), read from the '### Inject N: title (release at T)' sections."""
    found = []
    for block in re.split(r"^(?=### Inject )", markdown, flags=re.M)[1:]:
        block = re.split(r"^## ", block, flags=re.M)[0]
        head = re.match(r"### (Inject \d+): (.+?) \(release at ([0-9:]+)\)", block)
        if not head:
            raise SystemExit(f"make_pack: book/instructor/simulation-injects.md: '{block.splitlines()[0]}' does not read "
                             "'### Inject N: title (release at H:MM)'. Fix the heading.")
        handout = " ".join(line.lstrip("> ").strip() for line in block.splitlines() if line.startswith(">"))
        hits = re.search(r"\*\*Roles it hits:\*\*\s*(.+)", block)
        private = re.search(r"\*\*Private lines\*\*(.*?)(?=^\*\*)", block, flags=re.M | re.S)
        lines = re.findall(r"^- \*([^*]+?):\*\s*(.+)$", private.group(1), flags=re.M) if private else []
        found.append({"name": head.group(1), "title": head.group(2), "time": head.group(3), "handout": handout,
                      "hits": hits.group(1).strip() if hits else "", "private": lines})
    return found


def inject_slips(items: list[dict]) -> str:
    slips = []
    for item in items:
        meta = (f"<dl class='meta'><dt>Release at</dt><dd>{item['time']}</dd>"
                f"<dt>Give to</dt><dd>{plain(item['hits']) or 'everyone at the table'}</dd></dl>")
        slips.append(sheet("Simulation inject (fictional)", f"{item['name']}: {item['title']}",
                           f"{meta}<div class='slip'><p>{plain(item['handout'])}</p></div>"))
        for role, text in item["private"]:
            slips.append(sheet("Simulation inject: private line (fictional)", f"{item['name']}: for the {role} only",
                               f"<dl class='meta'><dt>Release at</dt><dd>{item['time']}, with {item['name'].lower()}</dd>"
                               f"<dt>Give to</dt><dd>{plain(role)}</dd></dl><div class='slip'><p>{plain(text[:1].upper() + text[1:])}</p></div>"))
    return document("Simulation inject slips", slips)


# ---- printing -----------------------------------------------------------------------------

ROLE_CARD_CSS = """@media print {
  section[id^="role-"] { break-before: page; font-size: 9.5pt; line-height: 1.35; }
  section[id^="role-"] h2 { margin: 0 0 .4em; font-size: 15pt; }
  section[id^="role-"] h3 { margin: .7em 0 .2em; font-size: 11pt; }
  section[id^="role-"] p, section[id^="role-"] ul { margin: 0 0 .3em; }
  section[id^="role-"] li { margin: 0; }
  .bd-toc, nav, .contents, .toctree-wrapper, .headerlink { display: none !important; }
  a { color: inherit !important; text-decoration: none !important; }
}"""


class Printer:
    """Chromium, printing pages served from one folder on 127.0.0.1 (others are refused)."""

    def __init__(self, playwright, folder: Path):
        self.httpd = make_server(folder, "127.0.0.1", 0)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                                                  args=CHROMIUM_ARGS)
        context = self.browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(self.base)
                      or route.request.url.startswith(("data:", "blob:")) else route.abort())
        self.page = context.new_page()

    def print(self, path: str, target: Path, css: str = "", own_page_size: bool = False):
        self.page.goto(self.base + path)
        if self.page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
            self.page.wait_for_selector(".po-widget", timeout=20000)
        if css:
            self.page.add_style_tag(content=css)
        self.page.emulate_media(media="print")
        options = {"prefer_css_page_size": True} if own_page_size else {
            "format": "A4", "margin": {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}}
        self.page.pdf(path=str(target), print_background=False, **options)
        self.page.emulate_media(media="screen")

    def close(self):
        self.browser.close()
        self.httpd.shutdown()


def main() -> int:
    for site, fix in ((LEARNER_SITE, "make build"), (INSTRUCTOR_SITE, "make instructor")):
        if not (site / "index.html").is_file():
            print(f"make_pack: no built book in {site.relative_to(ROOT)}. Fix: run `{fix}` first (make pack does).",
                  file=sys.stderr)
            return 1
    from playwright.sync_api import sync_playwright
    if OUT.exists():
        shutil.rmtree(OUT)   # no file left over from an earlier pack
    made = OUT / "made"     # the pack's own pages, served beside nothing else
    made.mkdir(parents=True)
    listing: list[tuple[str, str]] = []
    for activity_id in data.activities():
        act = data.load_activity(activity_id)
        for stem, page in activity_pack(act).items():
            (made / f"{stem}.html").write_text(page, encoding="utf-8")
    for chapter in data.load_chapters():
        (made / f"summary-{chapter['id']}.html").write_text(summary(chapter), encoding="utf-8")
    slips = injects((ROOT / "book" / "instructor" / "simulation-injects.md").read_text(encoding="utf-8"))
    (made / "simulation-inject-slips.html").write_text(inject_slips(slips), encoding="utf-8")

    with sync_playwright() as p:
        own = Printer(p, made)
        try:
            for page in sorted(made.glob("*.html")):
                own.print(page.name, OUT / f"{page.stem}.pdf", own_page_size=True)
                listing.append((f"{page.stem}.pdf", page.stem.replace("-", " ")))
        finally:
            own.close()
        learner = Printer(p, LEARNER_SITE)
        try:
            learner.print("book/simulation-brief.html", OUT / "simulation-brief.pdf")
            learner.print("book/simulation-roles.html", OUT / "simulation-role-cards.pdf", css=ROLE_CARD_CSS)
            listing += [("simulation-brief.pdf", "simulation situation brief"),
                        ("simulation-role-cards.pdf", "simulation role cards, one per page")]
        finally:
            learner.close()
        instructor = Printer(p, INSTRUCTOR_SITE)
        writer = PdfWriter()
        try:
            for doc in [d for d in pages_in_order(INSTRUCTOR_ROOT) if d.startswith("book/instructor/")]:
                target = OUT / "made" / "instructor-page.pdf"
                instructor.print(doc + ".html", target)
                writer.append(str(target))
            # The knowledge check on its own too: a facilitator prints its forms for every participant.
            instructor.print("book/instructor/knowledge-check.html", OUT / "knowledge-check.pdf")
            listing.append(("knowledge-check.pdf", "the pre/post knowledge check: when to use which form, forms A and B, "
                                                   "their answer keys"))
        finally:
            instructor.close()
        writer.write(OUT / "facilitator-guide.pdf")
        listing.append(("facilitator-guide.pdf", "the facilitator's guide (the instructor edition's own pages)"))
    (OUT / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Facilitator print pack</title></head><body>'
        "<main><h1>Facilitator print pack</h1><ul>"
        + "".join(f'<li><a href="{html.escape(f)}">{html.escape(label)}</a></li>' for f, label in sorted(listing))
        + "</ul></main></body></html>", encoding="utf-8")
    print(f"\n  {len(listing)} PDFs in {OUT.relative_to(ROOT)}/ (open index.html)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
