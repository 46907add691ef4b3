"""`make bench` compares chapter 1's quiz with the same questions shown by jupyterquiz
(benchmarks/jupyterquiz_page.py): the comparison is fair only if that page asks exactly what the
course asks."""
import sys
from pathlib import Path

from peaceops import data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import jupyterquiz_page  # noqa: E402


def test_every_chapter_one_question_reaches_jupyterquiz_with_its_options_keys_and_feedback():
    quiz = data.load_quiz("ch01")
    converted = jupyterquiz_page.to_jupyterquiz(quiz)
    assert len(converted) == len(quiz["questions"]) >= 5
    for q, jq in zip(quiz["questions"], converted):
        assert jq["question"] == q["prompt"]
        assert [(a["answer"], a["correct"], a["feedback"]) for a in jq["answers"]] == \
               [(o["text"], o["correct"], o["feedback"]) for o in q["options"]], q["id"]
        # jupyterquiz: "multiple_choice" takes one answer, "many_choice" asks for every right one
        keys = sum(a["correct"] for a in jq["answers"])
        assert jq["type"] == ("many_choice" if q["type"] == "multiple" else "multiple_choice"), q["id"]
        assert (keys == 1) == (jq["type"] == "multiple_choice"), q["id"]
    assert {jq["type"] for jq in converted} == {"multiple_choice", "many_choice"}, "chapter 1 has both kinds"
