"""The facilitator's pack (issue 12, sections 3 and 5): what a trainer would notice if it were wrong.

Role cards that differ in shape or length, a timetable whose minutes do not add up, a plan with no
advice for online or large groups, a debrief question tied to an objective that does not exist, a
security decision that no uniformed role takes, a card or a form that spills onto a second sheet.
"""
import re
import statistics
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from peaceops import data

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
INSTRUCTOR = BOOK / "instructor"
sys.path.insert(0, str(ROOT / "tools"))
from serve import make_server  # noqa: E402  (tools/serve.py, the server of `make serve`)

CARD_SECTIONS = ["Who you are", "What you want", "What you worry about", "Your red lines",
                 "What you know that others may not", "Tip for playing the role"]
PDF_OPTIONS = dict(format="A4", print_background=False,   # as tools/print_pdf.py prints
                   margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def _cards() -> dict[str, str]:
    text = (BOOK / "simulation-roles.md").read_text(encoding="utf-8")
    return {m.group(1).strip(): m.group(2) for m in
            re.finditer(r"^## Role: ([^\n]+)\n(.*?)(?=^## Role: |\Z)", text, flags=re.M | re.S)}


def _objective_ids() -> set[str]:
    return {o["id"] for ch in data.load_chapters() for o in ch["objectives"]}


def _squash(text: str) -> str:
    """Letters and digits only, lower case, ligatures undone: PDF text comes back in pieces."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text)).lower()


# --- Section 3: the simulation -------------------------------------------------------------------

def test_role_cards_have_the_same_sections_and_balanced_length():
    cards = _cards()
    assert {"Force Commander", "Police Commissioner"} <= set(cards), "the uniformed roles are missing"
    assert any("Interior" in name for name in cards), "no host-state security official"
    for name, body in cards.items():
        assert re.findall(r"^### (.+)$", body, flags=re.M) == CARD_SECTIONS, f"{name}: sections differ"
        red_lines = _section_from(body, "Your red lines")
        assert len(re.findall(r"^- ", red_lines, flags=re.M)) >= 2, f"{name}: fewer than two red lines"
    words = {name: len(body.split()) for name, body in cards.items()}
    median = statistics.median(words.values())
    off = {n: w for n, w in words.items() if not 0.65 * median <= w <= 1.35 * median}
    assert not off, f"cards more than 35% from the median of {median} words: {off}"


def _section_from(body: str, heading: str) -> str:
    return re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^### |\Z)", body, flags=re.M | re.S).group(1)


def test_escorts_and_checkpoints_fall_to_the_security_roles():
    injects = (INSTRUCTOR / "simulation-injects.md").read_text(encoding="utf-8")
    hits = re.findall(r"^\*\*Roles it hits:\*\* (.+)$", injects, flags=re.M)
    assert len(hits) == 5
    assert hits[0].startswith("Force Commander first"), hits[0]            # the convoy: escorts
    assert hits[3].startswith("Police Commissioner and Minister of the Interior first"), hits[3]  # checkpoint
    sheet = _section(injects, "Running it with 30 or more: parallel cells")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in sheet.splitlines()
            if re.match(r"^\| \d\d:\d\d \|", line)]
    assert len(rows) >= 15, "the timing sheet is too short"
    for clock, run, event, recipient, by in rows:
        h, m = map(int, clock.split(":"))
        rh, rm = map(int, run.split(":"))
        assert (h - 9) * 60 + m == rh * 60 + rm, f"clock {clock} does not match run time {run}"
        assert recipient and re.search(r"\b[DCR]\b", by), f"{clock} {event}: no recipient or no deliverer"
    run_sheet = re.findall(r"inject \d at (\d:\d\d)", _section(injects, "Run sheet"))
    for time in re.findall(r"\(release at (\d:\d\d)\)", injects):
        assert time in run_sheet and any(r[1] == time and "Inject" in r[2] for r in rows), \
            f"inject released at {time} is not on both the run sheet and the timing sheet"


def test_debrief_questions_and_self_assessment_name_real_objectives():
    ids = _objective_ids()
    debrief = (INSTRUCTOR / "simulation-debrief.md").read_text(encoding="utf-8")
    questions = _section(debrief, "Questions that link decisions to the course")
    for chapter, body in re.findall(r"^### Chapter (\d+):.*?\n(.*?)(?=^### |\Z)", questions, flags=re.M | re.S):
        numbered = re.findall(r"^\d+\. (.+)$", body, flags=re.M)
        assert numbered, f"chapter {chapter}: no questions"
        for q in numbered:
            m = re.match(r"\*\*`(ch\d\d-[a-z-]+)`\*\* ", q)
            assert m, f"chapter {chapter}: question without an objective id: {q[:60]}"
            assert m.group(1) in ids, f"{m.group(1)} is not an objective in data/chapters.yml"
            assert m.group(1).startswith(f"ch{int(chapter):02d}-"), f"{m.group(1)} under chapter {chapter}"
    sheet = _section((INSTRUCTOR / "simulation-handouts.md").read_text(encoding="utf-8"), "Participant self-assessment sheet")
    named = re.findall(r"`(ch\d\d-[a-z-]+)`", sheet)
    assert len(named) >= 8 and set(named) <= ids, f"unknown objectives on the self-assessment sheet: {set(named) - ids}"


# --- Section 5: the seminar plans ----------------------------------------------------------------

@pytest.mark.parametrize("chapter", [c["id"] for c in data.load_chapters()])
def test_plan_timetable_runs_0_to_90_in_one_form_and_keeps_its_quiz(chapter):
    text = (INSTRUCTOR / f"seminar-{chapter}.md").read_text(encoding="utf-8")
    rows = [line for line in _section(text, "Timetable").splitlines()
            if line.startswith("|") and not re.match(r"^\|\s*(Minutes|-)", line)]
    clock = 0
    for row in rows:
        m = re.match(r"^\| (\d+)–(\d+) \((\d+)\) \|", row)
        assert m, f"{chapter}: row not in the form 'a–b (n)': {row[:40]}"
        start, end, minutes = map(int, m.groups())
        assert start == clock and end - start == minutes, f"{chapter}: {row[:20]} does not follow on"
        clock = end
    assert clock == 90, f"{chapter}: the timetable ends at {clock}, not 90"
    quiz = [r for r in rows if "quiz" in r.split("|")[2].lower()]
    assert quiz and re.search(rf"{chapter}-q\d+", quiz[0]), f"{chapter}: the quiz row names no question"
    assert "```{answer-key} " + chapter in _section(text, "Answer key")


def test_every_plan_has_its_own_online_hybrid_and_large_group_advice():
    sections = {}
    for chapter in [c["id"] for c in data.load_chapters()]:
        text = (INSTRUCTOR / f"seminar-{chapter}.md").read_text(encoding="utf-8")
        body = _section(text, "Online, hybrid and large groups")
        for lead in ("**Online.**", "**Hybrid.**", "**Large groups (30 or more).**"):
            assert lead in body, f"{chapter}: no {lead} advice"
        assert re.search(r"breakout room", body, flags=re.I) and re.search(r"\bpoll", body, flags=re.I), \
            f"{chapter}: online advice names neither breakout rooms nor polls"
        sections[chapter] = set(re.findall(r"[a-z]{4,}", body.lower()))
    for a in sections:
        for b in sections:
            if a < b:
                overlap = len(sections[a] & sections[b]) / len(sections[a] | sections[b])
                assert overlap < 0.5, f"{a} and {b}: the adaptations read as boilerplate ({overlap:.0%} shared words)"


# --- Printed as a trainer prints them -------------------------------------------------------------

def _pdf_pages(page, url: str) -> list[str]:
    page.goto(url)
    page.emulate_media(media="print")
    pdf = page.pdf(**PDF_OPTIONS)
    page.emulate_media(media="screen")
    from io import BytesIO
    return [p.extract_text() or "" for p in PdfReader(BytesIO(pdf)).pages]


def test_role_cards_print_one_card_per_page(browser, server):
    cards = _cards()
    context = browser.new_context()
    try:
        pages = _pdf_pages(context.new_page(), server + "book/simulation-roles.html")
    finally:
        context.close()
    squashed = [_squash(p) for p in pages]
    assert len(pages) == len(cards) + 1, f"{len(pages)} pages for {len(cards)} cards and the cover note"
    for n, (name, body) in enumerate(cards.items(), start=1):
        page = squashed[n]
        assert _squash("Role: " + name) in page, f"page {n + 1} is not the card for {name}"
        tip = re.sub(r"\(?\{[^}]+\}`[^`]+`\)?", "", _section_from(body, "Tip for playing the role"))
        assert _squash(tip)[-40:] in page, f"{name}: the end of the card is not on the card's page"


@pytest.fixture(scope="module")
def instructor_site(site):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "instructor_edition.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    out = ROOT / "_build" / "instructor" / "_build" / "html"
    httpd = make_server(out, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/book/instructor/"
    httpd.shutdown()


@pytest.mark.parametrize("page_name, sheets, first_words", [
    ("certificate", 1, "Certificate of attendance"),
    ("attendance-sheet", 1, "Attendance sheet"),
    ("evaluation-form", 1, "Participant evaluation"),
    ("participant-agenda", 2, "Half-day seminar"),
    ("simulation-handouts", 3, "One-page integrated strategic plan"),
])
def test_printable_sheets_fit_their_pages(browser, instructor_site, page_name, sheets, first_words):
    context = browser.new_context()
    try:
        pages = _pdf_pages(context.new_page(), instructor_site + page_name + ".html")
    finally:
        context.close()
    assert len(pages) == sheets, f"{page_name} prints on {len(pages)} pages, not {sheets}"
    assert _squash(first_words) in _squash(pages[0])
    assert "Facilitator guide" not in pages[0] and "Print from the instructor edition" not in " ".join(pages), \
        "navigation or the screen-only note is printed"
