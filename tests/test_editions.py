"""The learner edition never contains instructor material; the instructor edition adds it."""
import re
from html import unescape
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR_PAGES = sorted((ROOT / "book" / "instructor").glob("*.md"))


def _marks(page: Path) -> list[str]:
    """What would betray an instructor page in HTML: its label (an anchor id) and its title."""
    text = page.read_text(encoding="utf-8")
    label = re.search(r"^\((instructor-[a-z0-9-]+)\)=", text, flags=re.M)
    title = re.search(r"^# (.+)$", text, flags=re.M)
    assert label and title, f"{page.relative_to(ROOT)} needs a '(instructor-...)=' label and a '# ' title"
    return [f'id="{label.group(1)}"', title.group(1).strip()]


def _plain(text: str) -> str:
    """Text as a reader compares it: spaces collapsed, typographic quotes (which the build's
    smart quotes put into the key) read as the plain quotes the quiz files use."""
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split())


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
            if given != [o["id"] for o in right] or not all(_plain(o["feedback"]) in _plain(why) for o in right):
                problems.append(f"{chapter['id']}: {q['id']} key says {given}")
    assert not problems, "\n".join(problems)
