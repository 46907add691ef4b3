"""The pre/post knowledge check (issue 12, section 5): two parallel forms from the chapter quiz
banks, taken in the book, exported with the learner's results, scored before and after by
peaceops.results, printed for facilitators with keys that match; and the simulation's map and
room drawings, shown and printed where the facilitator's pages describe them."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from peaceops import data, results
from test_facilitator_pack import _pdf_pages, _squash, instructor_site  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parent.parent
FORMS = data.load_knowledge_check()["forms"]
PRE, POST, PROGRESS = "book/check-before.html", "book/check-after.html", "book/progress.html"


def _chance(q: dict) -> float:
    """The expected score of a blind guess: one option of n, or one of the 2^n - 1 non-empty sets."""
    n = len(q["options"])
    return 1 / (2 ** n - 1) if q["type"] == "multiple" else 1 / n


# --- The forms are parallel: every claim data/knowledge-check.yml and the facilitator page make ---

def test_the_two_forms_are_parallel():
    a, b = FORMS["A"], FORMS["B"]
    assert len(a) == len(b) == 20
    assert not {q["id"] for q in a} & {q["id"] for q in b}, "a question is in both forms"
    for qa, qb in zip(a, b):
        assert qa["objective"] == qb["objective"], f"{qa['id']} and {qb['id']} test different objectives"
    for chapter in data.load_chapters():
        mine = {form: [q for q in qs if q["chapter"] == chapter["id"]] for form, qs in FORMS.items()}
        assert len(mine["A"]) == len(mine["B"]) == 2, f"{chapter['id']}: not two questions per form"
        assert Counter(q["type"] for q in mine["A"]) == Counter(q["type"] for q in mine["B"]), \
            f"{chapter['id']}: the forms mix question types differently"
    for form, qs in FORMS.items():
        singles = Counter(next(o["id"] for o in q["options"] if o["correct"]) for q in qs if q["type"] == "single")
        assert set(singles) == set("abcd") and max(singles.values()) - min(singles.values()) <= 1, \
            f"form {form}: single-answer keys bunch on some letters: {dict(singles)}"
        truth = Counter(next(o["id"] for o in q["options"] if o["correct"]) for q in qs if q["type"] == "truefalse")
        assert truth["true"] == truth["false"], f"form {form}: true/false keys {dict(truth)}"
    chance = {form: sum(map(_chance, qs)) / len(qs) for form, qs in FORMS.items()}
    assert abs(chance["A"] - chance["B"]) < 0.02, f"a blind guess scores differently on the two forms: {chance}"


@pytest.mark.parametrize("pairs, complaint", [
    ("  - {A: ch01-q01, B: ch01-q03}\n", "different objectives"),
    ("  - {A: ch01-q01, B: ch01-q02}\n  - {A: ch01-q02, B: ch01-q01}\n", "repeats"),
    ("  - {A: ch01-q01, B: '<b>x</b>'}\n", "not a question of any chapter quiz"),
])
def test_a_broken_pairing_stops_with_the_file_and_the_fix(tmp_path, monkeypatch, pairs, complaint):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "data" / "knowledge-check.yml").write_text("source: quizzes\npairs:\n" + pairs, encoding="utf-8")
    monkeypatch.setenv("PEACEOPS_ROOT", str(tmp_path))
    with pytest.raises(data.DataError) as error:
        data.load_knowledge_check()
    message = str(error.value)
    assert message.startswith("data/knowledge-check.yml: ") and complaint in message and "Fix: " in message, message


# --- In the browser: take both checks, export, and the results tools compute the gain -------------

def _take(page, stage: str, right: int) -> str:
    """Answer the form shown: the first `right` questions correctly, the rest wrongly; finish."""
    form = page.locator(f"#po-check-{stage}").inner_text()
    letter = re.search(r"Form ([AB]):", form).group(1)
    for n, q in enumerate(FORMS[letter]):
        keys = [o["id"] for o in q["options"] if o["correct"] == (n < right)]
        for option in keys if n < right else keys[:1]:
            page.locator(f"#po-check-{stage}-{q['id']}-{option}").check()
    page.locator(f"#po-check-{stage}-finish").click()
    return letter


def _export(watched, path: Path, name: str) -> dict:
    page = watched.goto(PROGRESS)
    page.locator("#po-progress-name").fill(name)
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    info.value.save_as(path)
    return json.loads(path.read_text(encoding="utf-8"))


def test_taking_both_checks_in_the_browser_exports_them_and_the_gain_is_computed(make_page, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    # Learner 1: the form the facilitator names is A; the page after the course gives B by itself.
    watched = make_page(width=375)
    page = watched.goto(PRE)
    assert page.locator("#po-check-pre-result").is_hidden() and page.locator(".po-exam-questions input").count() == 0
    page.locator("#po-check-pre-form-a").click()
    assert _take(page, "pre", right=5) == "A"
    assert "Result: 5 of 20 correct (25%)." in page.locator("#po-check-pre-result").inner_text()
    page = watched.goto(POST)
    assert "you took form A in this browser, so this is form B" in page.locator("#po-check-post").inner_text()
    assert _take(page, "post", right=15) == "B"
    shown = page.locator("#po-check-post-result").inner_text()
    assert "Result: 15 of 20 correct (75%)." in shown and "Before the course (form A): 25%. After: 75%." in shown
    exported = _export(watched, folder / "learner-1.json", "Ada")
    assert exported["saved"]["check/pre"]["form"] == "A" and exported["saved"]["check/post"]["form"] == "B"
    assert len(exported["saved"]["check/post"]["answers"]) == 20
    watched.assert_clean()

    # Learner 2, in the other half of the group: B before, A after (a new browser: chooses A).
    watched = make_page()
    page = watched.goto(PRE)
    page.locator("#po-check-pre-form-b").click()
    _take(page, "pre", right=8)
    page = watched.goto(POST)
    assert _take(page, "post", right=12) == "A", "after form B, the check after the course is form A"
    _export(watched, folder / "learner-2.json", "Ben")
    watched.assert_clean()

    # A third file claims a perfect score it did not earn, and an unfinished check.
    doc = json.loads((folder / "learner-1.json").read_text())
    doc["learner"] = "Cy"
    doc["saved"]["check/pre"]["score"] = 1.0
    doc["saved"]["check/post"]["finished"] = False
    (folder / "learner-3.json").write_text(json.dumps(doc), encoding="utf-8")

    gains, problems = results.knowledge_check_gain(folder, anonymise=False)
    rows = gains.set_index("learner")
    assert (rows.loc["Ada", ["pre form", "post form"]].tolist(), rows.loc["Ada", ["pre", "post", "gain"]].tolist()) == \
        (["A", "B"], [0.25, 0.75, 0.5])
    assert rows.loc["Ben", ["pre form", "post form"]].tolist() == ["B", "A"]
    assert rows.loc["Ben", ["pre", "post", "gain"]].tolist() == [0.4, 0.6, 0.2]
    assert rows.loc["Cy", "pre"] == 0.25, "the score is recomputed from the answers, not read from the file"
    assert rows.loc["Cy", "note"] == "no finished check after the course" and rows["gain"].isna()["Cy"]
    assert "not finished" in " ".join(problems["problem"])
    summary = results.knowledge_check_summary(gains).set_index("group")
    assert summary.loc["all learners with both checks", ["learners", "mean gain"]].tolist() == [2, 0.35]
    assert summary.loc["form A then form B", "mean after"] == 0.75
    assert summary.loc["form B then form A", "mean before"] == 0.4


def test_a_saved_check_that_the_course_cannot_have_written_is_a_problem_not_a_score(tmp_path):
    folder = results.write_example_folder(tmp_path / "class", learners=2)
    doc = json.loads((folder / "learner-01.json").read_text())
    qid = FORMS["A"][0]["id"]
    doc.update(version=2, saved={"check/pre": {"form": "A", "finished": True, "answers": {qid: ["<img src=x>"]}},
                                 "check/post": {"form": "Z", "finished": True, "answers": {}}})
    (folder / "learner-01.json").write_text(json.dumps(doc), encoding="utf-8")
    gains, problems = results.knowledge_check_gain(folder)
    assert gains.empty
    text = " ".join(problems["problem"])
    assert f"the answer to '{qid}' is not a list of its option ids" in text and "names no form" in text
    assert "<img" not in text


# --- Printed: both forms and their keys, with letters that match ----------------------------------

def test_forms_and_keys_print_each_on_new_pages_with_matching_letters(browser, instructor_site):  # noqa: F811
    context = browser.new_context()
    try:
        pages = [_squash(p) for p in _pdf_pages(context.new_page(), instructor_site + "knowledge-check.html")]
    finally:
        context.close()
    starts = {form: next(i for i, p in enumerate(pages) if p.startswith(_squash(f"Knowledge check · Form {form}")))
              for form in FORMS}
    keys = [i for i, p in enumerate(pages) if p.startswith(_squash("Answer key, form"))]
    assert starts["A"] < starts["B"] < keys[0] < keys[1], (starts, keys)
    printed_a = "".join(pages[starts["A"]:starts["B"]])
    for n, q in enumerate(FORMS["A"], start=1):
        assert _squash(" ".join(q["prompt"].split()))[:60] in printed_a, f"question {n} is not on form A"
        letter = (lambda o: "") if q["type"] == "truefalse" else (lambda o: f"{o['id']}) ")
        lettered = [_squash(letter(o) + " ".join(o["text"].split()))[:40] for o in q["options"]]
        found = [printed_a.find(option) for option in lettered]
        assert -1 not in found and found == sorted(found), f"{q['id']}: options not printed in the key's order"
    key_a = "".join(pages[keys[0]:keys[1]])
    for n, q in enumerate(FORMS["A"], start=1):
        first = next(o for o in q["options"] if o["correct"])
        assert _squash(f"{n}. ({q['id']}) {first['id']}) {first['text']}")[:len(q['id']) + 12] in key_a, \
            f"key A, question {n}"


# --- The map and the room, drawn where the pages describe them, on screen and on paper ------------

FIGURES = {"simulation-handouts": ("quessara-map", "FICTIONAL COUNTRY"),
           "facilitator-checklist": ("seminar-room", "Simulation hall for three cells")}


@pytest.mark.parametrize("page_name", FIGURES)
def test_map_and_room_are_drawn_labelled_and_print_on_one_page(browser, instructor_site, page_name):  # noqa: F811
    _, title = FIGURES[page_name]
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(instructor_site + page_name + ".html")
        drawing = page.locator("figure.po-figure svg.po-fig")
        assert drawing.count() == 1
        assert title in drawing.text_content(), "the drawing's own title is not visible text"
        label = drawing.get_attribute("aria-label")
        assert drawing.get_attribute("role") == "img" and len(label) > 80
        box = drawing.bounding_box()
        assert box["width"] <= 375 and box["height"] > 150, f"drawn at {box}"
        if page_name == "simulation-handouts":
            assert "fictional" in label.lower() and "fictional" in page.locator("figure.po-figure figcaption").inner_text().lower()
        texts = [t for t in drawing.locator("text").all_text_contents() if t.strip()]
        pages = [_squash(p) for p in _pdf_pages(page, instructor_site + page_name + ".html")]
    finally:
        context.close()
    holding = [i for i, p in enumerate(pages) if _squash(title) in p]
    assert len(holding) == 1, f"the drawing's title is on pages {holding}"
    on_page = pages[holding[0]]
    missing = [t for t in texts if _squash(t) not in on_page]
    assert not missing, f"parts of the drawing are not on its page: {missing}"
