"""`make pdf` and `make slides`: offline outputs that hold the whole course."""
import re
import subprocess
import unicodedata
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from peaceops import data

ROOT = Path(__file__).resolve().parent.parent


def _squash(text: str) -> str:
    """Letters and digits only, lower case, ligatures (ﬀ, ﬁ) undone: PDF text comes back in pieces."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text)).lower()


def test_pdf_of_the_whole_course_and_handouts(site):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "print_pdf.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    course = ROOT / "_build" / "pdf" / "course.pdf"
    text = _squash(" ".join(page.extract_text() or "" for page in PdfReader(course).pages))
    for chapter in data.load_chapters():
        assert _squash(chapter["title"]) in text, f"the course PDF lacks chapter {chapter['number']}: {chapter['title']}"
        assert (ROOT / "_build" / "pdf" / "handouts" / f"{chapter['file'].rsplit('/', 1)[-1]}.pdf").is_file()
    handout = _squash(" ".join(p.extract_text() or "" for p in
                               PdfReader(ROOT / "_build" / "pdf" / "handouts" / "ch01-what-integration-means.pdf").pages))
    # widgets print as static content: every spectrum stage (a table on paper) and the quiz's questions
    assert _squash("The integration spectrum, stage by stage") in handout
    for stage in data.load_spectrum()["stages"]:
        assert _squash(stage["label"]) in handout
    first = data.load_quiz("ch01")["questions"][0]
    assert _squash(first["prompt"])[:60] in handout
    # On paper the options stand in the bank's order, lettered by id as the answer key is,
    # whatever order this browser's learner sees on screen.
    places = [handout.find(_squash(f"{o['id']}) {o['text']}")[:40]) for o in first["options"]]
    assert -1 not in places and places == sorted(places), "printed options are not lettered in the answer key's order"


@pytest.mark.xdist_group("slides")   # each rewrites _build/slides: never two at once
def test_slide_decks_work_offline(browser):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_slides.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # Decks are opened from disk, as a facilitator with no server would: every request must stay on disk.
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    for chapter in data.load_chapters():
        page.goto((ROOT / "_build" / "slides" / f"{chapter['id']}.html").as_uri())
        page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady()")
        assert page.evaluate("Reveal.getTotalSlides()") >= 8
        assert page.locator(".slides section h1").first.text_content() == chapter["title"]
    context.close()
    assert requests and all(url.startswith("file://") for url in requests), [u for u in requests if not u.startswith("file://")]
    assert not errors, errors


SLIDE_SIZES = """() => { const c = Reveal.getConfig(); const out = [];
  Reveal.getSlides().forEach((s, i) => { Reveal.slide(i); Reveal.layout();
    out.push({i, title: (s.querySelector('h1,h2') || {}).textContent, h: s.scrollHeight, w: s.scrollWidth,
              maxH: c.height, maxW: c.width, notes: (s.querySelector('aside.notes') || {}).textContent || ''}); });
  return out; }"""


@pytest.mark.xdist_group("slides")   # each rewrites _build/slides: never two at once
def test_slides_fit_a_projector_carry_notes_and_vote_on_the_plans_questions(browser):
    """No slide is cut off at 1280x720 or 1024x768; the vote slides are the questions the seminar
    plan's timetable runs, lettered by option id as in the answer key, with the key in the notes;
    discussion slides carry the plan's model points as speaker notes."""
    import make_slides  # tools/ (on the path via conftest.py)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_slides.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    overflowing = []
    for width, height in ((1280, 720), (1024, 768)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for chapter in data.load_chapters():
            page.goto((ROOT / "_build" / "slides" / f"{chapter['id']}.html").as_uri())
            page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady()")
            slides = page.evaluate(SLIDE_SIZES)
            overflowing += [f"{chapter['id']} slide {s['i'] + 1} '{s['title']}' at {width}x{height}: "
                            f"{s['w']}x{s['h']} > {s['maxW']}x{s['maxH']}"
                            for s in slides if s["h"] > s["maxH"] or s["w"] > s["maxW"]]
            plan = make_slides.seminar_plan(chapter["id"])
            votes = [s for s in slides if (s["title"] or "").startswith("Vote: ")]
            assert plan["quiz"] and [v["title"][6:] for v in votes] == plan["quiz"], chapter["id"]
            questions = {q["id"]: q for q in data.load_quiz(chapter["id"])["questions"]}
            for vote in votes:
                right = ", ".join(o["id"] for o in questions[vote["title"][6:]]["options"] if o["correct"])
                assert f"Answer: {right}." in vote["notes"], vote
            discuss = [s for s in slides if (s["title"] or "").startswith("Discuss")]
            assert len(discuss) == len(plan["prompts"]) >= 3, chapter["id"]
            assert all("A good answer makes these points" in s["notes"] for s in discuss)
        context.close()
    assert not overflowing, "\n".join(overflowing)


@pytest.mark.xdist_group("slides")   # each rewrites _build/slides: never two at once
def test_a_deck_prints_one_slide_per_page(browser):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_slides.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    page = browser.new_page()
    page.goto((ROOT / "_build" / "slides" / "ch01.html").as_uri())
    page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady()")
    total = page.evaluate("Reveal.getTotalSlides()")
    page.goto((ROOT / "_build" / "slides" / "ch01.html").as_uri() + "?print-pdf")
    page.wait_for_function("typeof Reveal !== 'undefined' && Reveal.isReady() && document.querySelector('.pdf-page')")
    pdf = ROOT / "_build" / "slides" / "ch01-print-test.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.close()
    assert len(PdfReader(pdf).pages) == total
    pdf.unlink()
