#!/usr/bin/env python3
"""Build a slide deck per chapter (reveal.js, served from the decks' own folder: offline).

Each deck is made from what the chapter already says, so it never drifts from the text: its
title and learning objectives (data/chapters.yml), its sections as a roadmap, its key takeaways,
its activity's situation (data/activities/), its discussion questions (data/discussion/, one per slide, for the
room), two quiz questions to vote on, and a pointer back to the chapter.

    .venv/bin/python tools/make_slides.py          (what `make slides` runs)

Writes _build/slides/index.html, _build/slides/<chapter>.html and _build/slides/reveal/.
"""
import html
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from peaceops import data  # noqa: E402

OUT = ROOT / "_build" / "slides"
REVEAL = ROOT / "node_modules" / "reveal.js" / "dist"
AUTHORS = {"oslo2007": "Kaspersen and Revheim", "mfa2010": "the Norwegian MFA", "eide2005": "Eide et al."}


def plain(markdown: str) -> str:
    """A line of MyST Markdown as safe HTML: roles become their text, citations are dropped
    (the chapter carries them), *emphasis* and **strong** are kept."""
    text = re.sub(r"\s*\{cite:p\}`[^`]*`", "", markdown)
    text = re.sub(r"\{cite:t\}`([^`,]+)[^`]*`", lambda m: AUTHORS.get(m.group(1), "the source"), text)
    text = re.sub(r"\{ref\}`(ch\d\d)`", lambda m: f"chapter {int(m.group(1)[2:])}", text)
    text = re.sub(r"\{[a-z:-]+\}`([^`<]*?)\s*<[^>]*>`", r"\1", text)
    text = re.sub(r"\{[a-z:-]+\}`([^`]*)`", r"\1", text)
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)


def section(markdown: str, heading: str) -> list[str]:
    """The list items (bullets or numbers) under a '## heading'."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", markdown, flags=re.M | re.S)
    if not match:
        return []
    items, current = [], None
    for line in match.group(1).splitlines():
        start = re.match(r"^(?:[-*]|\d+\.)\s+(.*)", line)
        if start:
            current = start.group(1)
            items.append(current)
        elif current is not None and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip():
            current = None
    return items


def slide(title: str, body: str = "", cls: str = "") -> str:
    return f'<section{f" class={cls!r}" if cls else ""}>\n<h2>{title}</h2>\n{body}\n</section>'


def deck(chapter: dict) -> str:
    source = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
    headings = [h for h in re.findall(r"^## (.+)$", source, flags=re.M)
                if h not in ("Key takeaways", "Discussion questions", "Check your understanding")]
    slides = [
        f'<section><p class="kicker">Chapter {chapter["number"]}</p><h1>{plain(chapter["title"])}</h1>'
        f'<p>Multidimensional and Integrated Peace Operations</p></section>',
        slide("By the end of this session you can", "<ul>" + "".join(
            f'<li class="fragment">{plain(o["text"])}</li>' for o in chapter["objectives"]) + "</ul>"),
        slide("Roadmap", "<ol>" + "".join(f"<li>{plain(h)}</li>" for h in headings) + "</ol>"),
    ]
    takeaways = section(source, "Key takeaways")
    for start in range(0, len(takeaways), 4):
        part = takeaways[start:start + 4]
        title = "Key takeaways" + (f" ({start // 4 + 1})" if len(takeaways) > 4 else "")
        slides.append(slide(title, "<ul>" + "".join(f'<li class="fragment">{plain(t)}</li>' for t in part) + "</ul>", "small"))
    for activity_id in data.activities():
        act = data.load_activity(activity_id)
        if act["chapter"] != chapter["id"]:
            continue
        sc = act["scenarios"][0]
        slides.append(slide(plain(act["title"]), f"<p><strong>{plain(sc['title'])}</strong></p><p>{plain(sc['brief'])}</p>"
                            f"<p>Decide: {', '.join(plain(d['label']) for d in act['decisions'])}.</p>", "small"))
    for n, question in enumerate(data.load_discussion(chapter["id"])["questions"], start=1):
        slides.append(slide(f"Discuss ({n})", f"<p>{plain(question['prompt'])}</p>"))
    for q in data.load_quiz(chapter["id"])["questions"][:2]:
        hint = " <em>(Select all that apply.)</em>" if q["type"] == "multiple" else ""
        slides.append(slide("Vote", f"<p>{plain(q['prompt'])}{hint}</p><ol type='A'>" +
                            "".join(f"<li>{plain(o['text'])}</li>" for o in q["options"]) + "</ol>", "small"))
    slides.append(slide("Read on", f'<p>The chapter, its activity and its quiz: '
                        f'<a href="../html/{chapter["file"]}.html">{plain(chapter["title"])}</a></p>'
                        "<p>Sources are cited in the chapter.</p>"))
    return page(f"Chapter {chapter['number']}: {chapter['title']}", "\n".join(slides))


def page(title: str, slides: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} (slides)</title>
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/theme/white-contrast.css">
<style>.reveal .small {{ font-size: 0.75em; }} .reveal .kicker {{ text-transform: uppercase; letter-spacing: .1em; }}
.reveal h1 {{ font-size: 2em; }} .reveal h2 {{ font-size: 1.4em; }}</style>
</head>
<body>
<main class="reveal" aria-label="Slides"><div class="slides">
{slides}
</div></main>
<script src="reveal/reveal.js"></script>
<script>Reveal.initialize({{ hash: true, slideNumber: "c/t", transition: "none" }});</script>
</body>
</html>
"""


def main() -> int:
    if not (REVEAL / "reveal.js").is_file():
        print("make_slides: reveal.js is missing from node_modules. Fix: run `npm ci` (make does this).", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "reveal" / "theme").mkdir(parents=True)
    for name in ("reveal.js", "reveal.css", "reset.css"):
        shutil.copyfile(REVEAL / name, OUT / "reveal" / name)
    shutil.copyfile(REVEAL / "theme" / "white-contrast.css", OUT / "reveal" / "theme" / "white-contrast.css")
    shutil.copyfile(REVEAL.parent / "LICENSE", OUT / "reveal" / "LICENSE")
    chapters = data.load_chapters()
    links = []
    for chapter in chapters:
        (OUT / f"{chapter['id']}.html").write_text(deck(chapter), encoding="utf-8")
        links.append(f'<li><a href="{chapter["id"]}.html">Chapter {chapter["number"]}: {plain(chapter["title"])}</a></li>')
    index = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Slides: Multidimensional and Integrated Peace Operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Slides, one deck per chapter</h1>
<p>Open a deck and press F for full screen, arrow keys to move, Esc for an overview. The decks work offline.</p>
<ul>{''.join(links)}</ul></main></body></html>
"""
    (OUT / "index.html").write_text(index, encoding="utf-8")
    print(f"\n  {len(chapters)} decks in {OUT.relative_to(ROOT)}/ (open index.html)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
