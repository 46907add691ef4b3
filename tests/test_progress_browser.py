"""The learner's saved state in Chromium, static book, no kernel, at a laptop and a phone width:
answers reach the progress page; export, reset and import restore everything (quizzes, the
final assessment, activities, the spectrum); the final assessment records answers as they are
chosen; a full browser storage, oversize or crafted files and corrupt saved data get clear
messages and lose nothing; the overview and the certificate."""
import json
import time
import unicodedata

import pytest
from pypdf import PdfReader

from peaceops import data
from test_pages import _axe_violations, _report

CH01 = "book/ch01-what-integration-means.html"
CH02 = "book/ch02-leadership-and-management.html"
PROGRESS = "book/progress.html"
EXAM = "book/exam.html"
CERTIFICATE = "book/certificate.html"
WIDTHS = pytest.mark.parametrize("width", [1366, 375])

# Fill this origin's localStorage until the browser refuses more (bounded: at most 800 writes).
FILL_STORAGE = """() => {
  let i = 0;
  for (const size of [1 << 20, 1 << 16, 1 << 10, 16]) {
    const text = "x".repeat(size);
    for (let n = 0; n < 200; n++) {
      try { localStorage.setItem("filler/" + i++, text); } catch (e) { break; }
    }
  }
  return i;
}"""


def _correct(q):
    return [o["id"] for o in q["options"] if o["correct"]]


def _answer_quiz(page, chapter_id, index, correctly=True):
    q = data.load_quiz(chapter_id)["questions"][index]
    qid = f"po-quiz-{chapter_id}-{q['id']}"
    chosen = _correct(q) if correctly else [next(o["id"] for o in q["options"] if not o["correct"])]
    for oid in chosen:
        page.locator(f"#{qid}-{oid}").check()
    page.locator(f"#{qid}-check").click()
    return q


def _status(page, text_in, selector="#po-progress-status"):
    page.wait_for_function("([sel, t]) => document.querySelector(sel).textContent.includes(t)", arg=[selector, text_in])
    return page.locator(selector).inner_text()


def _import(page, path, expect):
    page.locator("#po-progress-file").set_input_files(str(path))
    return _status(page, expect)


def _results_file(tmp_path, name, **fields):
    body = {"format": "peaceops-results", "version": 2, "learner": None, "exported": "2026-01-01T00:00:00Z",
            "quizzes": {}, **fields}
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return path


def _drawn(page):
    return [f.get_attribute("id").removeprefix("po-exam-") for f in page.locator(".po-exam .po-question").all()]


def _answer_exam(page, wrong=(), skip=()):
    """Choose answers by clicking options only (no save button): right ones except `wrong`."""
    bank = {q["id"]: q for q in data.load_exam()["questions"]}
    drawn = _drawn(page)
    for qid in drawn:
        if qid in skip:
            continue
        q = bank[qid]
        choose = [next(o["id"] for o in q["options"] if not o["correct"])] if qid in wrong else _correct(q)
        for oid in choose:
            page.locator(f"#po-exam-{qid}-{oid}").check()
    return drawn, bank


def _assert_accessible(page):
    """axe-core (WCAG 2.1 A/AA) on the page as it is now, in light and dark mode."""
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
        violations = _axe_violations(page)
        assert violations == [], _report(violations, scheme)


def _stored(page):
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter((k) => k.startsWith("peaceops/v1/")).map((k) => [k, localStorage.getItem(k)]))""")


def _widget_state(page):
    """What a learner sees of their saved state on a page: every choice in every widget, and the
    quiz verdicts and assessment result shown."""
    return page.evaluate("""() => ({
      inputs: [...document.querySelectorAll(".po-widget input, .po-widget select")]
        .filter((i) => i.type !== "file" && i.type !== "text")
        .map((i) => i.id + "=" + (i.type === "checkbox" || i.type === "radio" ? i.checked : i.value)),
      verdicts: [...document.querySelectorAll(".po-quiz .po-result")].map((p) => p.textContent),
      exam: (document.querySelector("#po-exam-result") || {}).textContent || "",
    })""")


@WIDTHS
def test_export_reset_import_restores_everything(make_page, tmp_path, width):
    watched = make_page(width=width)
    page = watched.goto(CH01)
    _answer_quiz(page, "ch01", 0)
    _answer_quiz(page, "ch01", 1, correctly=False)
    page.locator(".po-spectrum input[type=range]").first.fill("4")
    decision = page.locator(".po-activity input[type=range]").first
    decision.fill(decision.get_attribute("max") if decision.input_value() != decision.get_attribute("max")
                  else decision.get_attribute("min"))
    page = watched.goto(CH02)
    _answer_quiz(page, "ch02", 2)
    page = watched.goto(EXAM)
    drawn, _ = _answer_exam(page, wrong=())
    page.locator("#po-exam-finish").click()
    assert "You passed." in page.locator("#po-exam-status").inner_text()

    pages = [CH01, CH02, EXAM, CERTIFICATE]
    before = {}
    for path in pages:
        before[path] = _widget_state(watched.goto(path))
    assert any(i.endswith("=4") for i in before[CH01]["inputs"]), "the spectrum position is part of the state"
    saved_before = _stored(page)
    assert any(k.startswith("peaceops/v1/activity/") for k in saved_before), "activities save their state"

    page = watched.goto(PROGRESS)
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    path = tmp_path / "results.json"
    info.value.save_as(path)
    exported = json.loads(path.read_text())
    assert exported["version"] == 2 and set(exported["quizzes"]) == {"ch01", "ch02"}
    assert exported["exam"]["passed"] is True and sorted(exported["exam"]["answers"]) == sorted(drawn)
    assert "spectrum" in exported["saved"] and any(k.startswith("activity/") for k in exported["saved"])

    page.locator("#po-progress-reset").click()
    page.locator("#po-progress-reset-confirm").click()
    assert _stored(page) == {}
    assert _widget_state(watched.goto(EXAM)) != before[EXAM]
    page = watched.goto(PROGRESS)
    status = _import(page, path, "Loaded")
    assert "3 answers added" in status and "your final assessment restored" in status, status
    for path_ in pages:
        assert _widget_state(watched.goto(path_)) == before[path_], f"{path_} after export, reset and import"
    assert watched.goto(CERTIFICATE).locator("#po-certificate-sheet").is_visible()
    watched.assert_clean()


def test_version_1_files_still_import_and_differences_are_kept(watched, tmp_path):
    page = watched.goto(CH01)
    q = _answer_quiz(page, "ch01", 0)
    wrong = next(o["id"] for o in q["options"] if not o["correct"])
    other = data.load_quiz("ch01")["questions"][1]
    path = _results_file(tmp_path, "other.json", version=1,
                         quizzes={"ch01": {"answers": {q["id"]: [wrong], other["id"]: [other["options"][0]["id"]]}}})
    page = watched.goto(PROGRESS)
    status = _import(page, path, "Loaded")
    assert "1 answer added" in status and "1 different from your answers here, which were kept" in status
    stored = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch01')"))
    assert stored["answers"][q["id"]] == sorted(_correct(q))
    watched.assert_clean()


@WIDTHS
def test_a_full_browser_storage_is_said_never_hidden(make_page, tmp_path, width):
    watched = make_page(width=width)
    page = watched.goto(CH01)
    assert page.evaluate(FILL_STORAGE) > 0
    q = _answer_quiz(page, "ch01", 0)
    warning = page.locator(".po-quiz .po-save-failed")
    assert warning.is_visible() and warning.inner_text().startswith("Not saved")
    page.reload()
    page.wait_for_selector(".po-quiz")
    assert page.locator(f"#po-quiz-ch01-{q['id']}-result").inner_text() == "", "nothing was saved, as the notice said"

    page = watched.goto(EXAM)
    page.locator(".po-exam .po-question input").first.check()
    assert page.locator(".po-exam .po-save-failed").is_visible()
    assert "Not saved" in page.locator(".po-exam .po-question .po-result").first.inner_text()

    path = _results_file(tmp_path, "mine.json", quizzes={"ch01": {"answers": {q["id"]: _correct(q)}}})
    page = watched.goto(PROGRESS)
    status = _import(page, path, "Loaded")
    assert "0 answers added" in status and "1 item was NOT saved" in status, status
    # Space freed: the next answer saves and the warning goes.
    page.evaluate("() => { for (const k of Object.keys(localStorage)) if (k.startsWith('filler/')) localStorage.removeItem(k); }")
    page = watched.goto(CH01)
    _answer_quiz(page, "ch01", 0)
    assert page.locator(".po-save-failed").count() == 0
    assert json.loads(page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch01')"))["answers"][q["id"]] == _correct(q)
    watched.assert_clean()


@WIDTHS
def test_oversize_crafted_and_mislabelled_files_are_refused_or_filtered(make_page, tmp_path, width):
    watched = make_page(width=width)
    page = watched.goto(PROGRESS)
    page.evaluate("localStorage.setItem('peaceops/v1/spectrum', JSON.stringify({stage: 3}))")
    before = _stored(page)

    # 25 MB of entries that are no part of the course: refused before it is read, at once.
    huge = tmp_path / "huge.json"
    entries = ",".join(f'"q{i}":["a"]' for i in range(700000))
    huge.write_text('{"format":"peaceops-results","version":2,"quizzes":{"ch01":{"answers":{' + entries + "}}}}")
    assert huge.stat().st_size > 10_000_000
    start = time.monotonic()
    status = _import(page, huge, "huge.json")
    assert time.monotonic() - start < 2
    assert "MB" in status and "Nothing was changed" in status, status

    text_version = _results_file(tmp_path, "edited.json", version="1")
    assert 'its "version" is the text "1"' in _import(page, text_version, "edited.json").lower()
    future = _results_file(tmp_path, "future.json", version=3)
    assert "this course reads versions 1 and 2" in _import(page, future, "future.json")
    assert _stored(page) == before

    q = data.load_quiz("ch01")["questions"][0]
    q2 = data.load_quiz("ch01")["questions"][1]
    evil = '<img src=x onerror="document.title=1">'
    crafted = _results_file(
        tmp_path, "crafted.json",
        quizzes={"ch01": {"answers": {q["id"]: [evil], q2["id"]: _correct(q2), "no-such-question": ["a"]}},
                 "ch99": {"answers": {}}},
        exam={"seed": 4, "answers": {"exam-nope": ["a"]}, "finished": False},
        saved={"../escape": 1, "quiz/ch02": {"answers": {}}, "spectrum.unreadable": "x", "notes/ch01": {"text": evil}})
    status = _import(page, crafted, "crafted.json")
    assert "1 answer added" in status and "7 entries not part of this course ignored" in status, status
    stored = _stored(page)
    assert json.loads(stored["peaceops/v1/quiz/ch01"])["answers"] == {q2["id"]: _correct(q2)}
    assert not any(k.endswith("escape") or k.endswith(".unreadable") for k in stored)
    assert "exam-nope" not in stored.get("peaceops/v1/exam", "")
    # A note is the learner's text: kept as data, shown (by its widget) only as text.
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    again = tmp_path / "again.json"
    info.value.save_as(again)
    assert "no-such-question" not in again.read_text() and "onerror" not in json.dumps(json.loads(again.read_text())["quizzes"])
    assert page.title() != "1"
    watched.assert_clean()


def test_corrupt_saved_items_are_set_aside_and_never_overwritten(watched):
    page = watched.goto(PROGRESS)
    page.evaluate("localStorage.setItem('peaceops/v1/quiz/ch02', '[1, 2')")
    page.reload()
    page.wait_for_selector(".po-progress")
    assert "Chapter 2: Your saved work for this exercise could not be read" in page.locator(".po-progress .po-notices").inner_text()
    page.evaluate("localStorage.setItem('peaceops/v1/quiz/ch02', '{broken again')")
    page.reload()
    page.wait_for_selector(".po-progress")
    assert page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch02.unreadable')") == "[1, 2"
    assert page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch02.unreadable-2')") == "{broken again"
    assert "quiz/ch02.unreadable-2" in page.locator(".po-progress .po-notices").inner_text()
    watched.assert_clean()


@WIDTHS
def test_the_final_assessment_records_choices_and_asks_before_losing_work(make_page, width):
    watched = make_page(width=width)
    page = watched.goto(EXAM)
    drawn = _drawn(page)
    total = len(drawn)
    assert page.locator(".po-exam .po-question button:visible").count() == 0, "no Save button to forget"
    count = page.locator("#po-exam-count")
    assert count.inner_text() == f"0 of {total} answered"
    _answer_exam(page, wrong=drawn[:2], skip=drawn[5:7])
    assert count.inner_text() == f"{total - 2} of {total} answered"
    # The count stays in view while the learner is in the middle of the questions.
    page.locator(f"#po-exam-{drawn[total // 2]}").scroll_into_view_if_needed()
    box = count.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
    page.reload()
    page.wait_for_selector(".po-exam")
    assert count.inner_text() == f"{total - 2} of {total} answered", "choices are recorded without a button"

    page.locator("#po-exam-new").click()
    assert f"The {total - 2} answers of this unfinished attempt will be discarded" in page.locator("#po-exam-confirm").inner_text()
    page.locator("#po-exam-confirm-no").click()
    assert _drawn(page) == drawn and count.inner_text() == f"{total - 2} of {total} answered"

    page.locator("#po-exam-finish").click()
    assert "2 questions are still unanswered" in page.locator("#po-exam-confirm").inner_text()
    page.locator("#po-exam-confirm-no").click()  # "Go back to question 6"
    assert page.evaluate("document.activeElement.closest('fieldset').id") == f"po-exam-{drawn[5]}"
    page.locator("#po-exam-finish").click()
    page.locator("#po-exam-confirm-yes").click()
    expected = total - 4
    assert page.locator("#po-exam-status").inner_text().startswith(
        f"Finished: {expected} of {total} correct ({round(expected / total * 100)}%).")
    bank = {q["id"]: q for q in data.load_exam()["questions"]}
    weak = bank[drawn[0]]
    objective = next(o for o in data.chapter(weak["chapter"])["objectives"] if o["id"] == weak["objective"])
    assert page.locator(f"#po-exam-result a[href$='#{objective['id']}']").first.inner_text() == objective["text"]
    assert page.locator(f"#po-exam-{drawn[5]}-result").inner_text().startswith("Not answered.")
    assert page.locator(".po-exam .po-question input:enabled").count() == 0
    assert page.locator("#po-exam-certificate").count() == (1 if expected / total >= 0.75 else 0)
    # A finished attempt is replaced without asking; the same draw number gives the same questions.
    page.locator("#po-exam-new").click()
    assert _drawn(page) != drawn and page.locator("#po-exam-confirm").is_hidden()
    watched.assert_clean()


@WIDTHS
def test_progress_overview_and_continue_where_you_left_off(make_page, width):
    watched = make_page(width=width, height=800)
    page = watched.goto(CH01)
    _answer_quiz(page, "ch01", 0)
    watched.goto(CH02)
    page = watched.goto(PROGRESS)
    overview = page.locator("#po-progress-overview")
    total = sum(len(data.load_quiz(c["id"])["questions"]) for c in data.load_chapters())
    assert f"(1 of {total})" in overview.inner_text()
    assert f"Chapters done: 0 of {len(data.load_chapters())}" in overview.inner_text()
    assert "Final assessment: not started" in overview.inner_text()
    ch02 = data.chapter("ch02")
    link = overview.get_by_role("link", name=ch02["title"])
    link.click()
    page.wait_for_url("**/" + CH02)
    page = watched.goto(PROGRESS)
    # Chapters are closed summaries; one opens to its objectives.
    row = page.locator("#po-progress-ch01")
    assert "1 of" in row.locator("summary").inner_text()
    first_objective = data.chapter("ch01")["objectives"][0]["text"]
    assert not page.get_by_text(first_objective).is_visible()
    row.locator("summary").click()
    assert page.get_by_text(first_objective).is_visible()
    # A phone gets a page, not metres of tables.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, height
    # A crafted "visited" never becomes a link anywhere.
    page.evaluate("""localStorage.setItem('peaceops/v1/visited', JSON.stringify({page: 'javascript:alert(1)//.html', title: 'x'}))""")
    page.reload()
    page.wait_for_selector(".po-progress")
    assert "Start with" in overview.inner_text() and page.locator("a[href^='javascript']").count() == 0
    watched.assert_clean()


@WIDTHS
def test_passing_leads_to_a_one_page_self_issued_certificate(make_page, tmp_path, width):
    watched = make_page(width=width)
    page = watched.goto(CERTIFICATE)
    assert "Not available yet" in page.locator(".po-certificate").inner_text()
    page = watched.goto(CH01)
    for i in range(len(data.load_quiz("ch01")["questions"])):
        _answer_quiz(page, "ch01", i)
    page = watched.goto(EXAM)
    _answer_exam(page)
    page.locator("#po-exam-finish").click()
    page.locator("#po-exam-certificate").click()
    page.wait_for_url("**/" + CERTIFICATE)
    page.wait_for_selector(".po-certificate")
    page.locator("#po-certificate-name").fill("<b>Ana</b> Pérez")
    sheet = page.locator("#po-certificate-sheet")
    text = sheet.inner_text()
    assert "<b>Ana</b> Pérez" in text and "score of 100%" in text
    assert f"1 of {len(data.load_chapters())} chapters" in text
    assert "not verified by" in text and "self-issued" in text.lower()
    for paper in ("A4", "Letter"):
        pdf = tmp_path / f"certificate-{paper}.pdf"
        page.pdf(path=str(pdf), format=paper, print_background=True)
        reader = PdfReader(pdf)
        assert len(reader.pages) == 1, f"{paper}: {len(reader.pages)} pages"
        printed = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # "ﬁ" ligatures
        assert "Ana" in printed and "not verified" in printed and "Print or save" not in printed
    # The filled-in states the page checks of test_pages.py never see: passed, finished, opened.
    _assert_accessible(page)
    page = watched.goto(EXAM)
    assert page.locator("#po-exam-result").is_visible()
    _assert_accessible(page)
    page = watched.goto(PROGRESS)
    page.locator("#po-progress-ch01 summary").click()
    _assert_accessible(page)
    watched.assert_clean()
