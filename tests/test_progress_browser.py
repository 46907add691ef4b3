"""The learner's journey in Chromium, static book, no kernel: answer in chapter 1, see it on the
progress page, export, reset, import, see it back; a full exam attempt; bad stored data and
bad files get clear messages and lose nothing."""
import json

from peaceops import data

CH01 = "book/ch01-what-integration-means.html"
PROGRESS = "book/progress.html"
EXAM = "book/exam.html"


def _answer_first_question_correctly(page):
    q = data.load_quiz("ch01")["questions"][0]
    qid = f"po-quiz-ch01-{q['id']}"
    for o in q["options"]:
        if o["correct"]:
            page.locator(f"#{qid}-{o['id']}").check()
    page.locator(f"#{qid}-check").click()
    return q


def _secure_objectives(page, chapter_id):
    row = page.locator(f"#po-progress-{chapter_id}")
    return [li.inner_text() for li in row.locator("li.po-obj-secure").all()]


def test_progress_export_reset_import(watched, tmp_path):
    page = watched.goto(CH01)
    q = _answer_first_question_correctly(page)
    objective = next(o for o in data.chapter("ch01")["objectives"] if o["id"] == q["objective"])
    others = [x for x in data.load_quiz("ch01")["questions"] if x["objective"] == q["objective"] and x is not q]

    page = watched.goto(PROGRESS)
    row = page.locator("#po-progress-ch01")
    assert "1 of 10 correct" in row.inner_text() or f"1 of {len(data.load_quiz('ch01')['questions'])} correct" in row.inner_text()
    state = "Secure: " if not others else "In progress: "
    assert f"{state}{objective['text']}" in row.inner_text()
    assert "not started" in page.locator("#po-progress-ch02").inner_text()

    page.locator("#po-progress-name").fill("Learner A")
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    path = tmp_path / "results.json"
    info.value.save_as(path)
    exported = json.loads(path.read_text())
    assert exported["format"] == "peaceops-results" and exported["learner"] == "Learner A"
    assert exported["quizzes"]["ch01"]["answers"] == {q["id"]: sorted(o["id"] for o in q["options"] if o["correct"])}

    page.locator("#po-progress-reset").click()
    page.locator("#po-progress-reset-cancel").click()
    assert "nothing was deleted" in page.locator("#po-progress-status").inner_text()
    assert "1 of" in row.inner_text()
    page.locator("#po-progress-reset").click()
    page.locator("#po-progress-reset-confirm").click()
    assert page.locator("#po-progress-status").inner_text().startswith("All progress deleted")
    assert "not started" in row.inner_text()

    page.locator("#po-progress-file").set_input_files(str(path))
    page.wait_for_function("document.querySelector('#po-progress-status').textContent.startsWith('Loaded')")
    assert "1 answers added" in page.locator("#po-progress-status").inner_text()
    assert "1 of" in row.inner_text()
    # and the quiz itself shows the answer again
    page = watched.goto(CH01)
    assert page.locator(f"#po-quiz-ch01-{q['id']}-result").inner_text().startswith("Correct.")
    watched.assert_clean()


def test_import_keeps_answers_that_differ_and_says_so(watched, tmp_path):
    page = watched.goto(CH01)
    q = _answer_first_question_correctly(page)
    wrong = next(o["id"] for o in q["options"] if not o["correct"])
    other = data.load_quiz("ch01")["questions"][1]
    file = {"format": "peaceops-results", "version": 1, "learner": None, "exported": "2026-01-01T00:00:00Z",
            "quizzes": {"ch01": {"answers": {q["id"]: [wrong], other["id"]: [other["options"][0]["id"]]}}}}
    path = tmp_path / "other.json"
    path.write_text(json.dumps(file))
    page = watched.goto(PROGRESS)
    page.locator("#po-progress-file").set_input_files(str(path))
    page.wait_for_function("document.querySelector('#po-progress-status').textContent.startsWith('Loaded')")
    status = page.locator("#po-progress-status").inner_text()
    assert "1 answers added" in status and "1 different from your answers here, which were kept" in status
    stored = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch01')"))
    assert stored["answers"][q["id"]] == sorted(o["id"] for o in q["options"] if o["correct"])


def test_bad_files_and_corrupt_storage_get_clear_messages(watched, tmp_path):
    page = watched.goto(PROGRESS)
    page.evaluate("localStorage.setItem('peaceops/v1/quiz/ch02', '[1, 2')")
    page.evaluate("localStorage.setItem('peaceops/v1/spectrum', JSON.stringify({stage: 3}))")
    page.reload()
    page.wait_for_selector(".po-progress")
    assert "Chapter 2: Your saved work for this exercise could not be read" in page.locator(".po-progress .po-notices").inner_text()
    assert page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch02.unreadable')") == "[1, 2"
    assert page.evaluate("localStorage.getItem('peaceops/v1/spectrum')") == '{"stage":3}'

    not_json = tmp_path / "notes.json"
    not_json.write_text("hello")
    page.locator("#po-progress-file").set_input_files(str(not_json))
    page.wait_for_function("document.querySelector('#po-progress-status').textContent.includes('notes.json')")
    assert "not valid JSON. Nothing was changed." in page.locator("#po-progress-status").inner_text()
    foreign = tmp_path / "other-course.json"
    foreign.write_text(json.dumps({"format": "something-else", "quizzes": {}}))
    page.locator("#po-progress-file").set_input_files(str(foreign))
    page.wait_for_function("document.querySelector('#po-progress-status').textContent.includes('other-course.json')")
    assert "is not a results file exported from this course" in page.locator("#po-progress-status").inner_text()
    assert page.evaluate("localStorage.getItem('peaceops/v1/spectrum')") == '{"stage":3}'
    watched.assert_clean()


def test_full_exam_attempt_with_known_answers(watched):
    page = watched.goto(EXAM)
    bank = {q["id"]: q for q in data.load_exam()["questions"]}
    fieldsets = page.locator(".po-exam .po-question").all()
    chapters = data.load_chapters()
    assert len(fieldsets) == 2 * len(chapters)
    drawn = [f.get_attribute("id").removeprefix("po-exam-") for f in fieldsets]
    assert [bank[q]["chapter"] for q in drawn] == [c["id"] for c in chapters for _ in range(2)]
    # Answer all but three correctly; leave one unanswered and give two wrong answers.
    wrong = drawn[:2]
    for qid in drawn[:-1]:
        q = bank[qid]
        choose = [o["id"] for o in q["options"] if o["correct"] != (qid in wrong)][:1] if qid in wrong \
            else [o["id"] for o in q["options"] if o["correct"]]
        for oid in choose:
            page.locator(f"#po-exam-{qid}-{oid}").check()
        page.locator(f"#po-exam-{qid}-check").click()
    page.locator("#po-exam-finish").click()
    assert "1 question is still unanswered" in page.locator("#po-exam-status").inner_text()
    page.locator("#po-exam-finish").click()
    total = len(drawn)
    expected = total - 3
    percent = round(expected / total * 100)
    assert page.locator("#po-exam-status").inner_text().startswith(f"Finished: {expected} of {total} correct ({percent}%).")
    result = page.locator("#po-exam-result").inner_text()
    assert ("passed." if expected / total >= 0.75 else "below the pass mark") in result
    weak_chapter = data.chapter(bank[wrong[0]]["chapter"])
    weak_objective = next(o for o in weak_chapter["objectives"] if o["id"] == bank[wrong[0]]["objective"])
    link = page.locator(f"#po-exam-result a[href$='#{weak_objective['id']}']").first
    assert link.inner_text() == weak_objective["text"]
    # feedback is now shown on every option, also of the unanswered question; answers are locked
    first = bank[drawn[0]]
    assert page.locator(f"#po-exam-{drawn[0]}-{first['options'][0]['id']}-fb").inner_text() == first["options"][0]["feedback"]
    last = bank[drawn[-1]]
    assert page.locator(f"#po-exam-{drawn[-1]}-{last['options'][0]['id']}-fb").inner_text() == last["options"][0]["feedback"]
    assert page.locator(f"#po-exam-{drawn[-1]}-result").inner_text().startswith("Not answered.")
    assert page.locator(".po-exam .po-question button:visible").count() == 0
    assert page.locator(".po-exam .po-question input:enabled").count() == 0
    # the same draw number gives the same questions after a reload; a new attempt draws afresh
    page.reload()
    page.wait_for_selector(".po-exam")
    assert [f.get_attribute("id") for f in page.locator(".po-exam .po-question").all()] == [f"po-exam-{q}" for q in drawn]
    page.locator("#po-exam-new").click()
    redrawn = [f.get_attribute("id").removeprefix("po-exam-") for f in page.locator(".po-exam .po-question").all()]
    assert redrawn != drawn and len(redrawn) == total
    watched.assert_clean()
