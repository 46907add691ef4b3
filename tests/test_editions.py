"""The learner edition never contains instructor material; the instructor edition adds it."""
import re
import subprocess
import sys
import unicodedata
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR_PAGES = sorted((ROOT / "book" / "instructor").glob("*.md"))


def _marks(page: Path) -> list[str]:
    """What would betray an instructor page in HTML: its label (an anchor id) and its title."""
    text = page.read_text(encoding="utf-8")
    label = re.search(r"^\((instructor-[a-z0-9-]+)\)=", text, flags=re.M)
    title = re.search(r"^# (.+)$", text, flags=re.M)
    assert label and title, f"{page.relative_to(ROOT)} needs a '(instructor-...)=' label and a '# ' title"
    return [f'id="{label.group(1)}"', title.group(1).strip()]


def test_learner_edition_has_no_instructor_material(site):
    assert INSTRUCTOR_PAGES, "book/instructor/ should hold the facilitator pages"
    marks = {m: p.name for p in INSTRUCTOR_PAGES for m in _marks(p)}
    found = []
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if "instructor/" in text:
            found.append(f"{html.relative_to(site)} mentions instructor/")
        found += [f"{html.relative_to(site)} contains {m!r} from {page}" for m, page in marks.items() if m in text]
    assert not (site / "book" / "instructor").exists()
    assert not found, "\n".join(found[:20])


@pytest.mark.xdist_group("instructor-edition")   # the pack test below prints this build
def test_instructor_edition_builds_with_every_facilitator_page_and_true_answer_keys(site):
    """Every facilitator page is built, and each seminar plan's answer key lists every question of
    the chapter's quiz once, with exactly its correct options and their feedback: the key is drawn
    from the quiz, so a rewritten or rebalanced quiz can never leave a stale key behind."""
    from peaceops import data
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "instructor_edition.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    out = ROOT / "_build" / "instructor" / "_build" / "html"
    for page in INSTRUCTOR_PAGES:
        html = out / "book" / "instructor" / f"{page.stem}.html"
        assert html.is_file(), f"missing {html.relative_to(ROOT)}"
        assert _marks(page)[0] in html.read_text(encoding="utf-8")
    problems = []
    for chapter in data.load_chapters():
        text = (out / "book" / "instructor" / f"seminar-{chapter['id']}.html").read_text(encoding="utf-8")
        table = re.search(r'<table[^>]*po-answer-key.*?</table>', text, flags=re.S)
        if not table:
            problems.append(f"seminar-{chapter['id']}: no answer key table")
            continue
        rows = {}
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), flags=re.S):
            cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            if cells:
                rows[cells[0]] = cells
        questions = data.load_quiz(chapter["id"])["questions"]
        if set(rows) != {q["id"] for q in questions}:
            problems.append(f"{chapter['id']}: key lists {sorted(rows)}")
            continue
        for q in questions:
            right = [o for o in q["options"] if o["correct"]]
            _, correct, why = rows[q["id"]]
            given = re.findall(r"(?:^|; )([a-z0-9]+)\) ", correct)
            if given != [o["id"] for o in right] or not all(_squash(o["feedback"]) in _squash(why) for o in right):
                problems.append(f"{chapter['id']}: {q['id']} key says {given}")
    assert not problems, "\n".join(problems)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text)).lower()


def _pages(pdf: Path) -> list[str]:
    return [_squash(page.extract_text() or "") for page in PdfReader(pdf).pages]


@pytest.mark.xdist_group("instructor-edition")
def test_facilitator_print_pack(site):
    """`make pack` prints what a facilitator hands out: every activity's briefs (one scenario per
    page), A3 decision grids and verdict sheets; role cards and inject slips one per page; a one-
    or two-page summary per chapter; the facilitator's guide. Checked page by page in the PDFs."""
    from peaceops import data
    sys.path.insert(0, str(ROOT / "tools"))
    import make_pack
    if not (make_pack.INSTRUCTOR_SITE / "index.html").is_file():
        subprocess.run([sys.executable, str(ROOT / "tools" / "instructor_edition.py")], cwd=ROOT, check=True,
                       capture_output=True)
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_pack.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    pack = ROOT / "_build" / "pack"
    for activity_id in data.activities():
        act = data.load_activity(activity_id)
        briefs, grids = _pages(pack / f"{activity_id}-briefs.pdf"), PdfReader(pack / f"{activity_id}-grids.pdf")
        assert len(briefs) == len(act["scenarios"]), f"{activity_id}: a scenario brief runs over one page"
        for page, scenario in zip(briefs, act["scenarios"]):
            assert _squash(scenario["title"]) in page
        assert len(grids.pages) == len(act["scenarios"])
        box = grids.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (1191, 842), "decision grids print on A3 landscape"
        verdicts = "".join(_pages(pack / f"{activity_id}-verdicts.pdf"))
        for scenario in act["scenarios"]:
            for rule in scenario["rules"]:
                assert _squash(rule["message"])[:80] in verdicts, f"{activity_id}: rule {rule['id']} is not on the sheet"

    roles = re.findall(r"^## (Role: .+)$", (ROOT / "book" / "simulation-roles.md").read_text(encoding="utf-8"), flags=re.M)
    cards = _pages(pack / "simulation-role-cards.pdf")
    assert len(cards) == len(roles) + 1, f"{len(cards) - 1} pages for {len(roles)} role cards: a card runs over"
    for page, role in zip(cards[1:], roles):
        assert page.startswith(_squash(role)[:30]), f"the card '{role}' does not start its own page"

    injects = make_pack.injects((ROOT / "book" / "instructor" / "simulation-injects.md").read_text(encoding="utf-8"))
    slips = _pages(pack / "simulation-inject-slips.pdf")
    assert len(injects) >= 5 and len(slips) == sum(1 + len(i["private"]) for i in injects)
    assert all("releaseat" in page and "giveto" in page for page in slips)

    for chapter in data.load_chapters():
        summary = _pages(pack / f"summary-{chapter['id']}.pdf")
        assert len(summary) <= 2, f"the chapter {chapter['number']} summary takes {len(summary)} pages"
        for objective in chapter["objectives"]:
            assert _squash(objective["text"])[:60] in "".join(summary)

    guide = "".join(_pages(pack / "facilitator-guide.pdf"))
    for page in INSTRUCTOR_PAGES:
        assert _squash(_marks(page)[1]) in guide, f"the facilitator's guide lacks {page.name}"
    assert (pack / "index.html").is_file()
