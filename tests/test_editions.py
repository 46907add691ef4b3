"""The learner edition never contains instructor material; the instructor edition adds it."""
import re
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


def test_instructor_edition_builds_with_every_facilitator_page(site):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "instructor_edition.py")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    out = ROOT / "_build" / "instructor" / "_build" / "html"
    for page in INSTRUCTOR_PAGES:
        html = out / "book" / "instructor" / f"{page.stem}.html"
        assert html.is_file(), f"missing {html.relative_to(ROOT)}"
        assert _marks(page)[0] in html.read_text(encoding="utf-8")
    assert "Answer key" in (out / "book" / "instructor" / "seminar-ch01.html").read_text(encoding="utf-8")


def test_seminar_answer_keys_match_the_quizzes():
    """Each seminar plan's answer key names every question of the chapter's quiz, once, with
    exactly its correct options (the table's second column), so keys cannot drift from quizzes."""
    from peaceops import data
    problems = []
    for chapter in data.load_chapters():
        text = (ROOT / "book" / "instructor" / f"seminar-{chapter['id']}.md").read_text(encoding="utf-8")
        key = text.split("## Answer key", 1)[1].split("\n## ", 1)[0]
        questions = data.load_quiz(chapter["id"])["questions"]
        named = set(re.findall(rf"{chapter['id']}-q\d+", key))
        if named != {q["id"] for q in questions}:
            problems.append(f"{chapter['id']}: key names {sorted(named)}")
        for q in questions:
            row = next((line for line in key.splitlines() if q["id"] in line), "")
            cell = row.split("|")[2] if row.count("|") >= 3 else ""
            given = sorted(set(re.findall(r"\b(true|false|[a-f])\b", cell)))
            if given != sorted(o["id"] for o in q["options"] if o["correct"]):
                problems.append(f"{chapter['id']}: {q['id']} key says {given}")
    assert not problems, "\n".join(problems)
