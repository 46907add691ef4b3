"""`make pdf` and `make slides`: offline outputs that hold the whole course."""
import re
import subprocess
import unicodedata
import sys
from pathlib import Path

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
    assert _squash(first["options"][1]["text"])[:40] in handout


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
