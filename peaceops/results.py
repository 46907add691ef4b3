"""Class results for teachers: read a folder of results files that learners downloaded from
"My progress", check each one, and summarise what the class understood with pandas.

    from peaceops import results
    answers, problems = results.load_folder("class-results/")   # bad files are listed, not fatal
    results.question_summary(answers)     # per question: share correct, most chosen wrong option
    results.objective_mastery(answers)    # per objective: share of learners for whom it is secure

Learners are anonymised by default ("Learner 1", "Learner 2", ... in file-name order); pass
anonymise=False to keep the names or pseudonyms they typed.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pandas as pd

from . import data

FORMAT = "peaceops-results"


def check_file(path: Path, questions: dict[str, dict]) -> tuple[dict | None, str | None]:
    """(contents, None) for a usable results file, or (None, reason) for one that is not."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, "not a text file"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON (line {exc.lineno}, column {exc.colno})"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None, f"not a results file from this course (its 'format' is not '{FORMAT}')"
    if doc.get("version") != 1:
        return None, f"version {doc.get('version')!r}; this course reads version 1"
    quizzes = doc.get("quizzes")
    if not isinstance(quizzes, dict):
        return None, "no 'quizzes' section"
    for chapter_id, quiz in quizzes.items():
        answers = quiz.get("answers") if isinstance(quiz, dict) else None
        if not isinstance(answers, dict):
            return None, f"quiz '{chapter_id}' has no 'answers'"
        for qid, chosen in answers.items():
            if qid not in questions:
                return None, f"quiz '{chapter_id}' answers '{qid}', which is not a question of this course"
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
                return None, f"the answer to '{qid}' is not a list of option ids"
    return doc, None


def _questions() -> dict[str, dict]:
    return {q["id"]: {**q, "chapter": c["id"]} for c in data.load_chapters()
            for q in data.load_quiz(c["id"])["questions"]}


def load_folder(folder: str | Path, anonymise: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All answers in a folder of results files, one row per learner and question, and a table
    of the files that could not be used, with the reason. Files are only read, never changed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder. Fix: put the learners' results files in one folder "
                                "and pass its path.")
    questions = _questions()
    rows, problems = [], []
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    usable = 0
    for path in files:
        doc, reason = check_file(path, questions)
        if reason:
            problems.append({"file": path.name, "problem": reason})
            continue
        usable += 1
        learner = f"Learner {usable}" if anonymise else (doc.get("learner") or f"(no name) {path.name}")
        for quiz in doc["quizzes"].values():
            for qid, chosen in quiz["answers"].items():
                q = questions[qid]
                rows.append({"learner": learner, "chapter": q["chapter"], "question": qid,
                             "objective": q["objective"], "chosen": ",".join(sorted(chosen)),
                             "correct": data.is_correct(q, chosen)})
    answers = pd.DataFrame(rows, columns=["learner", "chapter", "question", "objective", "chosen", "correct"])
    return answers, pd.DataFrame(problems, columns=["file", "problem"])


def question_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Per question: how many learners answered, the share correct, and the wrong option chosen most."""
    def most_chosen_wrong(group):
        wrong = Counter(group.loc[~group["correct"], "chosen"])
        return wrong.most_common(1)[0][0] if wrong else ""
    grouped = answers.groupby(["chapter", "question"], sort=True)
    summary = pd.DataFrame({
        "answered": grouped.size(),
        "share correct": grouped["correct"].mean().round(2),
        "most chosen wrong option": grouped.apply(most_chosen_wrong, include_groups=False),
    })
    return summary.reset_index()


def objective_mastery(answers: pd.DataFrame) -> pd.DataFrame:
    """Per objective: the share of learners who answered every question testing it correctly
    (of those who answered at least one), as on the learner's progress page."""
    texts = data.objectives_table().set_index("objective")["text"]
    per_learner = answers.groupby(["objective", "learner"])["correct"].all()
    mastery = per_learner.groupby("objective").agg(learners="size", secure="mean")
    mastery["secure"] = mastery["secure"].round(2)
    mastery["text"] = texts.reindex(mastery.index)
    return mastery.reset_index()


def write_example_folder(folder: str | Path, learners: int = 12, seed: int = 2007) -> Path:
    """Write a folder of made-up results files, the same every time for a given seed, with two
    deliberately broken files: for trying the class-results notebook and for its tests."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    questions = _questions()
    for n in range(1, learners + 1):
        skill = rng.uniform(0.35, 0.95)
        quizzes: dict[str, dict] = {}
        for qid, q in questions.items():
            if rng.random() < 0.2:
                continue  # not every learner answers everything
            right = [o["id"] for o in q["options"] if o["correct"]]
            wrong = [o["id"] for o in q["options"] if not o["correct"]]
            chosen = right if rng.random() < skill or not wrong else [rng.choice(wrong)]
            quizzes.setdefault(q["chapter"], {"answers": {}})["answers"][qid] = chosen
        doc = {"format": FORMAT, "version": 1, "exported": "2026-11-22T10:00:00Z",
               "learner": f"Example learner {n}", "quizzes": quizzes}
        (folder / f"learner-{n:02d}.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    (folder / "broken-download.json").write_text('{"format": "peaceops-results", "version": 1, "quizz', encoding="utf-8")
    (folder / "other-course.json").write_text(json.dumps({"format": "another-course", "answers": {}}), encoding="utf-8")
    return folder


def table(frame: pd.DataFrame, name: str, bars: dict[str, str] | None = None, percent: tuple[str, ...] = ()):
    """Show a summary as an HTML table, shares as percentages, with in-cell bars for the columns in
    `bars` (column -> colour). The element ids derive from `name`, so the output is the same on
    every run (the notebooks' saved outputs are checked)."""
    from IPython.display import HTML
    style = frame.style.hide(axis="index").set_uuid(name).format({c: "{:.0%}" for c in percent})
    for column, colour in (bars or {}).items():
        style = style.bar(subset=[column], vmin=0, vmax=1, color=colour)
    return HTML(style.to_html())
