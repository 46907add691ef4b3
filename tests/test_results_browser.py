"""From the learner's browser to the teacher's table, in Chromium on the built book: a wrong first
answer put right with "Try again" and two final-assessment attempts reach the class results as
they happened; importing a results file merges first answers, attempt counts and the exam's
history without losing anything stored here."""
import json

from peaceops import data, results
from test_progress_browser import CH01, EXAM, PROGRESS, _answer_exam, _answer_quiz, _drawn, _import, _results_file


def _retry(page, q):
    page.locator(f"#po-quiz-ch01-{q['id']}-retry").click()


def _export(page, folder, name):
    page.locator("#po-progress-name").fill(name)
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    folder.mkdir(exist_ok=True)
    info.value.save_as(folder / f"{name}.json")


def _finish(page):
    page.locator("#po-exam-finish").click()
    page.wait_for_function("document.querySelector('#po-exam-status').textContent.startsWith('Finished')")


def test_a_retry_and_two_exam_attempts_reach_the_teacher_as_they_happened(watched, tmp_path):
    page = watched.goto(CH01)
    q1 = _answer_quiz(page, "ch01", 0, correctly=False)
    _retry(page, q1)
    _answer_quiz(page, "ch01", 0)
    q2 = _answer_quiz(page, "ch01", 1)
    page = watched.goto(EXAM)
    drawn = _drawn(page)
    _answer_exam(page, wrong=drawn)
    _finish(page)
    page.locator("#po-exam-new").click()
    _answer_exam(page)
    _finish(page)
    assert "You passed." in page.locator("#po-exam-status").inner_text()
    page = watched.goto(PROGRESS)
    _export(page, tmp_path / "class", "Ada")
    watched.assert_clean()

    found = results.read_folder(tmp_path / "class", anonymise=False)
    assert found.problems.empty, found.problems
    rows = found.answers.set_index("question")
    assert (rows.loc[q1["id"], "correct"], rows.loc[q1["id"], "first try correct"], rows.loc[q1["id"], "attempts"]) \
        == (True, False, 2), "the retry shows: right now, wrong at the first try, two attempts"
    assert (rows.loc[q2["id"], "first try correct"], rows.loc[q2["id"], "attempts"]) == (True, 1)
    summary = results.learner_summary(found.answers).set_index("learner").loc["Ada"]
    assert (summary["share correct"], summary["correct now"]) == (0.5, 1.0)
    exam = found.exams.set_index("learner").loc["Ada"]
    assert (exam["finished attempts"], exam["best score"], exam["latest score"], exam["passed"]) == (2, 1.0, 1.0, True)


def test_import_merges_first_answers_attempts_and_exam_history(watched, tmp_path):
    quiz = data.load_quiz("ch01")["questions"]
    q1, q2 = quiz[0], quiz[1]
    right = lambda q: [o["id"] for o in q["options"] if o["correct"]]          # noqa: E731
    wrong = lambda q: [next(o["id"] for o in q["options"] if not o["correct"])]  # noqa: E731
    page = watched.goto(CH01)
    _answer_quiz(page, "ch01", 1, correctly=False)   # here: q2 wrong, then right (2 attempts)
    _retry(page, q2)
    _answer_quiz(page, "ch01", 1)
    page = watched.goto(EXAM)
    _answer_exam(page, wrong=_drawn(page))
    _finish(page)
    here = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/exam')"))
    assert len(here["history"]) == 1 and here["history"][0]["raw"] == 0

    total = len(_drawn(page))
    elsewhere = [{"seed": 40 + n, "raw": raw, "max": total, "score": raw / total, "passed": raw / total >= 0.75,
                  "finished": f"2026-11-0{n + 1}T09:00:00.000Z"} for n, raw in enumerate((total // 2, total))]
    path = _results_file(tmp_path, "other-browser.json", quizzes={"ch01": {
        "answers": {q1["id"]: right(q1), q2["id"]: right(q2)},
        "first": {q1["id"]: wrong(q1), q2["id"]: right(q2)},    # q2's first answer here stays
        "attempts": {q1["id"]: 3, q2["id"]: 1}}},                 # of two counts, the larger
        exam={"seed": 41, "answers": {}, "finished": True, "score": 1.0, "passed": True,
              "best": {"score": 1.0, "date": elsewhere[1]["finished"]}, "history": elsewhere},
        saved={})
    page = watched.goto(PROGRESS)
    status = _import(page, path, "Loaded")
    assert "2 finished attempts of the final assessment added to your history" in status, status
    stored = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch01')"))
    assert stored["first"] == {q1["id"]: wrong(q1), q2["id"]: wrong(q2)}
    assert stored["attempts"] == {q1["id"]: 3, q2["id"]: 2}
    exam = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/exam')"))
    assert [a["seed"] for a in exam["history"]] == [40, 41, here["history"][0]["seed"]], "all kept, oldest first"
    assert exam["best"]["score"] == 1.0 and exam["finished"] and exam["seed"] == here["seed"], "the attempt here stays"
    assert "passed with 100%" in page.locator("#po-progress-overview").inner_text()
    # Importing the same file again adds nothing.
    again = _import(page, path, "Loaded \"other-browser.json\": 0 answers added")
    assert "added to your history" not in again
    watched.assert_clean()
