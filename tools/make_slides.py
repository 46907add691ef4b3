#!/usr/bin/env python3
"""Build a slide deck per chapter (reveal.js, served from the decks' own folder: offline).

Each deck is made from what the chapter and its seminar plan already say, so it never drifts
from either: the chapter's title and learning objectives (data/chapters.yml), its sections as a
roadmap, its figures (drawn by Graphviz from the same sources as the book's, with
their captions), its key takeaways, its activity's situation and decisions (data/activities/), the
plan's discussion prompts (book/instructor/seminar-chNN.md; one per slide, with the points a
good answer makes as speaker notes), the quiz questions the plan's timetable runs (option
letters are the option ids, as in the plan's answer key; the key is in the notes), and a pointer
back to the chapter. One idea per slide: long lists are split so that nothing overflows a
projector (tests/test_print_and_slides.py checks every slide at 1280x720 and 1024x768).
Press S in a deck for the speaker view with notes; add ?print-pdf to print one slide per page.

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
from peaceops.figures import FigureError, figure_svg, figures_in  # noqa: E402

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


def notes(markdown_lines: list[str]) -> str:
    """Speaker notes (reveal.js shows them in the speaker view, S), one paragraph per line."""
    lines = [line for line in markdown_lines if line.strip()]
    return '<aside class="notes">' + "".join(f"<p>{plain(line)}</p>" for line in lines) + "</aside>" if lines else ""


def slide(title: str, body: str = "", cls: str = "", note: list[str] | None = None) -> str:
    return f'<section{f" class={cls!r}" if cls else ""}>\n<h2>{title}</h2>\n{body}\n{notes(note or [])}</section>'


def chunks(items: list, size: int) -> list[list]:
    """Split a list into parts of at most `size`, as even as possible (5 -> 3 + 2, not 4 + 1)."""
    parts = -(-len(items) // size) if items else 0
    return [items[i * len(items) // parts:(i + 1) * len(items) // parts] for i in range(parts)]


def numbered(title: str, i: int, n: int) -> str:
    return f"{title} ({i} of {n})" if n > 1 else title


def seminar_plan(chapter_id: str) -> dict:
    """What the deck takes from the chapter's seminar plan: its aims, timetable rows, discussion
    prompts (title, question, points a good answer makes) and the quiz questions it runs."""
    text = (ROOT / "book" / "instructor" / f"seminar-{chapter_id}.md").read_text(encoding="utf-8")

    def part(heading):
        match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
        return match.group(1) if match else ""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in part("Timetable").splitlines()
            if line.startswith("|") and not re.match(r"^\|\s*(Minutes|-)", line)]
    prompts = []
    for block in re.split(r"^(?=\d+\. \*\*|\*\*\d+\. )", part("Discussion prompts"), flags=re.M)[1:]:
        head = re.match(r"^(?:\d+\. )?\*\*(?:\d+\. )?(.+?)\*\*\s*(.*?)$", block, flags=re.M)
        points = [line.strip()[2:] for line in block.split("A good answer makes these points:", 1)[-1].splitlines()
                  if line.strip().startswith("- ")]
        question = head.group(2).strip()
        prompts.append((head.group(1).strip(), question, points))
    quiz_row = next((r for r in rows if len(r) > 1 and "quiz" in r[1].lower()), None)
    quiz_ids = re.findall(rf"{chapter_id}-q\d+", " ".join(quiz_row)) if quiz_row else []
    return {"aims": section(text, "Aims"), "timetable": rows, "prompts": prompts, "quiz": quiz_ids}


def deck(chapter: dict) -> str:
    source = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
    plan = seminar_plan(chapter["id"])
    headings = [h for h in re.findall(r"^## (.+)$", source, flags=re.M)
                if h not in ("Key takeaways", "Discussion questions", "Check your understanding")]
    slides = [
        f'<section><p class="kicker">Chapter {chapter["number"]}</p><h1>{plain(chapter["title"])}</h1>'
        f'<p>Multidimensional and Integrated Peace Operations</p>'
        + notes(["Session plan (minutes, activity):"] + [f"{r[0]}: {r[1]}" for r in plan["timetable"] if len(r) > 1])
        + "</section>"]
    parts = chunks(chapter["objectives"], 2)
    for i, part in enumerate(parts, start=1):
        slides.append(slide(numbered("By the end of this session you can", i, len(parts)), "<ul>" + "".join(
            f'<li class="fragment">{plain(o["text"])}</li>' for o in part) + "</ul>", note=plan["aims"] if i == 1 else None))
    parts = chunks(headings, 5)
    for i, part in enumerate(parts, start=1):
        start = 1 + sum(len(p) for p in parts[:i - 1])
        slides.append(slide(numbered("Roadmap", i, len(parts)),
                            f"<ol start='{start}'>" + "".join(f"<li>{plain(h)}</li>" for h in part) + "</ol>"))
    for figure in figures_in(source):
        slides.append(f'<section class="figure"><figure>{figure_svg(figure["source"], figure["alt"])}'
                      f'<figcaption>{plain(figure["caption"])}</figcaption></figure></section>')
    takeaways = section(source, "Key takeaways")
    parts = chunks(takeaways, 2)
    for i, part in enumerate(parts, start=1):
        slides.append(slide(numbered("Key takeaways", i, len(parts)),
                            "<ul>" + "".join(f'<li class="fragment">{plain(t)}</li>' for t in part) + "</ul>", "small"))
    for activity_id in data.activities():
        act = data.load_activity(activity_id)
        if act["chapter"] != chapter["id"]:
            continue
        sc = act["scenarios"][0]
        activity_row = next((r for r in plan["timetable"] if len(r) > 2 and act["title"].lower() in r[2].lower()), None)
        slides.append(slide(plain(act["title"]), f"<p><strong>{plain(sc['title'])}</strong> "
                            "<em>(a fictional situation)</em></p>" f"<p>{plain(sc['brief'])}</p>", "small",
                            note=[activity_row[2]] if activity_row else None))
        slides.append(slide(f"{plain(act['title'])}: decide", "<ul>" + "".join(
            f"<li>{plain(d['label'])}</li>" for d in act["decisions"]) + "</ul>", "small"))
    for n, (title, question, points) in enumerate(plan["prompts"], start=1):
        slides.append(slide(f"Discuss ({n} of {len(plan['prompts'])})",
                            f"<p><strong>{plain(title)}</strong></p>" + (f"<p>{plain(question)}</p>" if question else ""),
                            note=["A good answer makes these points:"] + points))
    questions = {q["id"]: q for q in data.load_quiz(chapter["id"])["questions"]}
    for qid in plan["quiz"]:   # the questions the plan's timetable runs (tests check every plan names some)
        q = questions[qid]
        hint = " <em>(Select all that apply.)</em>" if q["type"] == "multiple" and "select all" not in q["prompt"].lower() else ""
        right = [o for o in q["options"] if o["correct"]]
        slides.append(slide(f"Vote: {qid}", f"<p>{plain(q['prompt'])}{hint}</p><ul class='options'>" +
                            "".join(f"<li><b>{html.escape(o['id'])})</b> {plain(o['text'])}</li>" for o in q["options"]) +
                            "</ul>", "vote",
                            note=["Answer: " + ", ".join(o["id"] for o in right) + "."] + [o["feedback"] for o in right]))
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
.reveal h1 {{ font-size: 2em; }} .reveal h2 {{ font-size: 1.4em; }}
.reveal .vote {{ font-size: 0.62em; text-align: left; }} .reveal .vote h2 {{ text-align: center; }}
.reveal ul.options {{ list-style: none; margin: 0; }} .reveal ul.options li {{ margin: .3em 0; }}
.reveal .figure svg {{ max-width: 100%; max-height: 500px; height: auto; }}
.reveal .figure figcaption {{ font-size: 0.45em; line-height: 1.35; text-align: left; }}</style>
</head>
<body>
<main class="reveal" aria-label="Slides"><div class="slides">
{slides}
</div></main>
<script src="reveal/reveal.js"></script>
<script src="reveal/plugin/notes.js"></script>
<script>Reveal.initialize({{ hash: true, slideNumber: "c/t", transition: "none", plugins: [RevealNotes],
  pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1 }});</script>
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
    (OUT / "reveal" / "plugin").mkdir()
    shutil.copyfile(REVEAL / "plugin" / "notes.js", OUT / "reveal" / "plugin" / "notes.js")
    chapters = data.load_chapters()
    links = []
    for chapter in chapters:
        try:
            (OUT / f"{chapter['id']}.html").write_text(deck(chapter), encoding="utf-8")
        except FigureError as problem:
            print(f"make_slides: {chapter['file']}.md: {problem}", file=sys.stderr)
            return 1
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
