"""Class results that tell the truth (issue 12 §1, first part): an objective counts as secure
for a learner only from answers given before they asked to see the answers, as on the learner's
own progress page; and the teacher reads questions and wrong answers as text, not only as ids."""
from __future__ import annotations

import json
from pathlib import Path

from peaceops import data, results


def _file(folder: Path, name: str, learner: str, answers: dict, revealed: list[str]) -> None:
    chapter = "ch01"
    doc = {"format": "peaceops-results", "version": 2, "exported": "2026-11-30T10:00:00.000Z", "learner": learner,
           "quizzes": {chapter: {"answers": answers, "revealed": revealed, "updated": "2026-11-30T10:00:00.000Z"}},
           "saved": {}}
    (folder / name).write_text(json.dumps(doc), encoding="utf-8")


def test_answers_given_after_seeing_the_answers_do_not_secure_an_objective(tmp_path):
    questions = data.load_quiz("ch01")["questions"]
    objective = questions[0]["objective"]
    group = [q for q in questions if q["objective"] == objective]
    right = {q["id"]: [o["id"] for o in q["options"] if o["correct"]] for q in group}
    _file(tmp_path, "a.json", "Ada", right, revealed=[])
    _file(tmp_path, "b.json", "Ben", right, revealed=[group[0]["id"]])
    answers, problems = results.load_folder(tmp_path, anonymise=False)
    assert problems.empty, problems
    mastery = results.objective_mastery(answers).set_index("objective")
    assert mastery.loc[objective, "learners"] == 2
    assert mastery.loc[objective, "secure"] == 0.5      # Ada's counts, Ben's does not


def test_a_revealed_list_the_course_cannot_have_written_is_refused(tmp_path):
    first = data.load_quiz("ch01")["questions"][0]
    _file(tmp_path, "a.json", "Ada", {first["id"]: ["a"]}, revealed=["<img src=x>"])
    answers, problems = results.load_folder(tmp_path)
    assert answers.empty and len(problems) == 1
    assert "revealed" in problems.loc[0, "problem"]


def test_question_summary_reads_as_text(tmp_path):
    question = data.load_quiz("ch01")["questions"][0]
    wrong = next(o for o in question["options"] if not o["correct"])
    _file(tmp_path, "a.json", "Ada", {question["id"]: [wrong["id"]]}, revealed=[])
    summary = results.question_summary(results.load_folder(tmp_path)[0]).set_index("question")
    row = summary.loc[question["id"]]
    assert row["prompt"] == " ".join(question["prompt"].split())
    assert row["most chosen wrong option"] == f"{wrong['id']}) {' '.join(wrong['text'].split())}"
