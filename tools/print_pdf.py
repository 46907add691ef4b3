#!/usr/bin/env python3
"""Print the built course to PDF, offline: a handout per chapter and the whole course in one file.

Chromium prints each page of _build/html (served on 127.0.0.1) with the book's print styles:
no navigation, widgets as readable static content (questions with their options, the spectrum's
stages as a table). pypdf joins the pages, in the order of _toc.yml, into the whole course.

    .venv/bin/python tools/print_pdf.py          (what `make pdf` runs, after `make build`)

Writes _build/pdf/course.pdf and _build/pdf/handouts/<page>.pdf.
"""
import os
import sys
import threading
from pathlib import Path

import yaml
from pypdf import PdfWriter
from serve import make_server  # tools/serve.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pages_in_order(folder: Path = ROOT) -> list[str]:
    """Every page of the table of contents in `folder` (the learner edition's by default), as
    paths without extension, in reading order."""
    toc = yaml.safe_load((folder / "_toc.yml").read_text(encoding="utf-8"))
    order = [toc["root"]]

    def walk(entries):
        for entry in entries:
            order.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return order


def main() -> int:
    if not (SITE / "index.html").is_file():
        print("print_pdf: no built book in _build/html. Fix: run `make build` first (make pdf does).", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    httpd = make_server(SITE, "127.0.0.1", 0)  # the server of `make serve`
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    (OUT / "handouts").mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    writer = PdfWriter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context()
            # Offline means offline: a page that asks for another host is stopped, not waited for.
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                          or route.request.url.startswith(("data:", "blob:")) else route.abort())
            page = context.new_page()
            for doc in pages_in_order():
                page.goto(base + doc + ".html")
                if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
                    page.wait_for_selector(".po-widget", timeout=20000)
                page.emulate_media(media="print")
                target = OUT / "handouts" / f"{doc.rsplit('/', 1)[-1]}.pdf"
                page.pdf(path=str(target), format="A4", print_background=False, outline=True,
                         margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                         display_header_footer=True, header_template="<span></span>",
                         footer_template="<div style='font-size:8px;width:100%;text-align:center'>"
                                         "<span class='title'></span> · <span class='pageNumber'></span></div>")
                page.emulate_media(media="screen")
                writer.append(str(target))
                print(f"printed {doc}")
            browser.close()
    finally:
        httpd.shutdown()
    writer.write(OUT / "course.pdf")
    print(f"\n  The course is in {(OUT / 'course.pdf').relative_to(ROOT)}; handouts in {(OUT / 'handouts').relative_to(ROOT)}/\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
