"""Class results for a real class (issue 12 §1): learners who retry, final assessments taken
several times, files from before the course recorded either, and hostile files and uploads.
The share correct counts first tries only, and says "unknown" where a file cannot tell; every
table exports to CSV and Excel without any learner's text becoming a spreadsheet formula."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from peaceops import data, results

QUESTIONS = results._questions()
Q1, Q2 = data.load_quiz("ch01")["questions"][:2]
BANK = results._exam_bank()


def right(q: dict) -> list[str]:
    return [o["id"] for o in q["options"] if o["correct"]]


def wrong(q: dict) -> list[str]:
    return [next(o["id"] for o in q["options"] if not o["correct"])]


def attempt(n: int, raw: int, max_: int = 20, day: int = 20) -> dict:
    return {"seed": n, "raw": raw, "max": max_, "score": raw / max_, "passed": raw / max_ >= 0.75,
            "finished": f"2026-11-{day}T10:00:00.000Z"}


def results_file(learner: str, quiz: dict, version: int = 2, exam: dict | None = None) -> dict:
    doc = {"format": "peaceops-results", "version": version, "exported": "2026-11-30T10:00:00.000Z",
           "learner": learner, "quizzes": {"ch01": quiz}}
    if version == 2:
        doc["saved"] = {}
    if exam is not None:
        doc["exam"] = exam
    return doc


def write(folder: Path, name: str, doc) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return folder / name


def class_with_retries(folder: Path) -> Path:
    """Ada: wrong at the first try of Q1, right after two retries; right at once on Q2; three exam
    attempts (failed, passed, failed). Ben: right at once on Q1. Cem: a version-1 file and Dan a
    version-2 file from before first tries were recorded (right now on Q1; an old-style exam)."""
    write(folder, "ada.json", results_file("Ada", {
        "answers": {Q1["id"]: right(Q1), Q2["id"]: right(Q2)}, "first": {Q1["id"]: wrong(Q1), Q2["id"]: right(Q2)},
        "attempts": {Q1["id"]: 3, Q2["id"]: 1}},
        exam={"seed": 4, "answers": {}, "finished": True, "score": 0.5, "passed": False,
              "best": {"score": 0.8, "date": "2026-11-21T10:00:00.000Z", "seed": 2},
              "history": [attempt(1, 10, day=20), attempt(2, 16, day=21), attempt(3, 10, day=22)]}))
    write(folder, "ben.json", results_file("Ben", {"answers": {Q1["id"]: right(Q1)}, "first": {Q1["id"]: right(Q1)},
                                                   "attempts": {Q1["id"]: 1}}))
    write(folder, "cem.json", results_file("Cem", {"answers": {Q1["id"]: right(Q1)}}, version=1,
                                           exam={"seed": 1, "answers": {}, "finished": True, "score": 0.9,
                                                 "passed": True}))
    write(folder, "dan.json", results_file("Dan", {"answers": {Q1["id"]: right(Q1)}, "revealed": []}))
    return folder


def test_share_correct_counts_first_tries_and_never_guesses_the_unknown(tmp_path):
    found = results.read_folder(class_with_retries(tmp_path / "class"), anonymise=False)
    assert found.problems.empty, found.problems
    q1 = results.question_summary(found.answers).set_index("question").loc[Q1["id"]]
    assert q1["answered"] == 4
    assert q1["share correct"] == 0.5, "Ada's retry does not count: 1 of the 2 known first tries"
    assert q1["first try unknown"] == 2, "Cem's and Dan's files do not say"
    assert q1["correct now"] == 1.0
    assert q1["mean attempts"] == 2.0, "(3 + 1) / 2: unknown counts are left out, never taken as 1"
    assert q1["most chosen wrong option"].startswith(wrong(Q1)[0] + ")"), "the wrong first try shows"
    learners = results.learner_summary(found.answers).set_index("learner")
    assert learners.loc["Ada", "share correct"] == 0.5 and learners.loc["Ada", "correct now"] == 1.0
    assert learners.loc["Ada", "mean attempts"] == 2.0
    assert learners["share correct"].isna()["Cem"] and learners.loc["Cem", "first try unknown"] == 1
    text = results.headline(found)
    assert "Share correct at the first try: 67% of 3 answers whose first try is known" in text
    assert "2 answers from files saved before the course recorded first tries: first try unknown" in text
    shown = results.show(results.report(found)[2]).data    # the per-learner table as the teacher sees it
    assert "unknown" in shown and "<NA>" not in shown and "nan" not in shown


def test_the_final_assessment_per_learner_and_for_the_class(tmp_path):
    found = results.read_folder(class_with_retries(tmp_path / "class"), anonymise=False)
    exams = found.exams.set_index("learner")
    assert list(exams.index) == ["Ada", "Cem"]
    ada = exams.loc["Ada"]
    assert (ada["finished attempts"], ada["best score"], ada["latest score"], ada["passed"]) == (3, 0.8, 0.5, True)
    assert ada["now"] == "finished"
    cem = exams.loc["Cem"]
    assert cem["finished attempts"] is results.pd.NA, "an old save does not say how many attempts"
    assert (cem["best score"], cem["latest score"], cem["passed"]) == (0.9, 0.9, True)
    view = dict(results.exam_class_view(found.exams, found.learners).values)
    assert view["learners whose files were read"] == "4" and view["started the final assessment"] == "2"
    assert view["passed"] == "2 (100% of those who finished)"
    assert view["finished attempts per learner"] == "3.0 on average, at most 3"
    assert view["attempts unknown (files from before December 2026)"] == "1"
    assert "Final assessment: 2 learners finished at least one attempt, 2 passed." in results.headline(found)


def test_example_class_has_retries_old_files_and_exams():
    """The notebook's example class shows what a real class does (its saved outputs rely on it)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        found = results.read_folder(results.write_example_folder(Path(tmp)))
    answers = found.answers
    retried = answers[(answers["first try correct"] == False) & answers["correct"]]  # noqa: E712
    assert len(retried) > 20 and (retried["attempts"] >= 2).all()
    assert answers["first try correct"].isna().sum() > 0, "two learners' files are from before first tries"
    assert (found.exams["finished attempts"] > 1).sum() >= 2 and found.exams["finished attempts"].isna().sum() >= 1


@pytest.mark.parametrize("quiz, expected", [
    ({"first": {"ch01-q99": ["a"]}}, "'first' answers 'ch01-q99', which is not a question of this course"),
    ({"first": {Q1["id"]: ["<img src=x>"]}}, "the first answer to '" + Q1["id"] + "' chooses '<img src=x>', which is not one"),
    ({"first": {Q1["id"]: []}}, "the first answer to '" + Q1["id"] + "' is not a list of option ids"),
    ({"first": [Q1["id"]]}, "has 'first' as a list, not an object"),
    ({"attempts": {Q1["id"]: 0}}, "the attempts at '" + Q1["id"] + "' are the number 0; the course writes a whole number"),
    ({"attempts": {Q1["id"]: True}}, "the attempts at '" + Q1["id"] + "' are true"),
    ({"attempts": {Q1["id"]: 1.5}}, "are the number 1.5"),
    ({"attempts": {Q1["id"]: "=1+1"}}, "are the text '=1+1'"),
    ({"attempts": {Q1["id"]: 10**6}}, "from 1 to 100,000"),
    ({"attempts": {"ch02-q01": 1}}, "counts attempts at 'ch02-q01', which is not a question of this chapter"),
])
def test_first_answers_and_attempts_are_checked_strictly(tmp_path, quiz, expected):
    doc = results_file("Ada", {"answers": {Q1["id"]: right(Q1)}, **quiz})
    got, reason = results.check_file(write(tmp_path, "f.json", doc), QUESTIONS)
    assert got is None and expected in reason.problem, reason
    assert reason.fix


EXAM_OK = {"seed": 3, "answers": {}, "finished": False}


@pytest.mark.parametrize("exam, expected", [
    ({**EXAM_OK, "history": [attempt(1, 21)]}, "attempt 1 of the exam's 'history' is not what the course writes"),
    ({**EXAM_OK, "history": [{**attempt(1, 10), "score": 0.9}]}, "attempt 1 of the exam's 'history'"),
    ({**EXAM_OK, "history": [attempt(1, 10)] * 51}, "of 51 attempts; the course keeps a list of at most 50"),
    ({**EXAM_OK, "history": [{**attempt(1, 10), "finished": "<b>yesterday</b>"}]}, "the text '<b>yesterday</b>'"),
    ({**EXAM_OK, "history": "all of them"}, "the exam's 'history' is the text"),
    ({**EXAM_OK, "answers": {"ch01-q01": ["a"]}}, "the exam answers 'ch01-q01', which is not a question of this course"),
    ({**EXAM_OK, "seed": "7"}, "the exam's 'seed' is the text '7'"),
    ({**EXAM_OK, "score": 7}, "the exam's 'score' is the number 7"),
    ({**EXAM_OK, "finished": "yes"}, "the exam's 'finished' is the text 'yes'"),
    ({**EXAM_OK, "best": {"score": 0.9, "date": "soon"}}, "the exam's best 'date' is the text 'soon'"),
])
def test_the_exam_section_is_checked_strictly(tmp_path, exam, expected):
    doc = results_file("Ada", {"answers": {}}, exam=exam)
    got, reason = results.check_file(write(tmp_path, "f.json", doc), QUESTIONS)
    assert got is None and expected in reason.problem, reason


def test_a_full_exam_history_and_an_old_exam_are_read(tmp_path):
    for exam in ({**EXAM_OK, "history": [attempt(n, 15) for n in range(50)]},
                 {"seed": 1, "answers": {next(iter(BANK)): right(next(iter(BANK.values())))}, "finished": True,
                  "score": 0.5, "passed": False, "updated": "2026-11-01T00:00:00.000Z"}):
        got, reason = results.check_file(write(tmp_path, "f.json", results_file("Ada", {"answers": {}}, exam=exam)),
                                         QUESTIONS)
        assert reason is None, reason


# ------------------------------------------------------------------ uploads, zip archives

def zipped(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_uploads_and_zip_archives_are_checked_like_a_folder(tmp_path):
    folder = class_with_retries(tmp_path / "class")
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    from_folder = results.read_folder(folder)
    archive = zipped({f"class/{name}": content for name, content in files.items()} | {"__MACOSX/._ada.json": b"junk"})
    for upload in ([(name, content) for name, content in files.items()], [("class.zip", archive)]):
        found = results.read_uploads(upload)
        assert found.problems.empty, found.problems
        assert found.answers.equals(from_folder.answers) and found.exams.equals(from_folder.exams)
    assert results.read_uploads([("a.json", files["ada.json"]), ("copy.json", files["ada.json"])]).learners == 1


def test_hostile_uploads_are_listed_and_bounded(tmp_path):
    ok = json.dumps(results_file("Ada", {"answers": {Q1["id"]: right(Q1)}})).encode()
    bomb = zipped({"bomb.json": b"0" * (results.MAX_FILE_BYTES + 1)})            # 10 MB of zeros in 10 KB
    many = zipped({f"f{n}.json": b"0" * (9 * 2**20) for n in range(7)})          # 63 MB unpacked in all
    nested = zipped({"inner.zip": zipped({"a.json": ok}), "../../etc/evil<script>.json": ok})
    name = '<img src=x onerror="document.title=1">.json'
    found = results.read_uploads([("bomb.zip", bomb), ("many.zip", many), ("nested.zip", nested),
                                  ("damaged.zip", b"PK\x03\x04 not really"), (name, b"{}"),
                                  ("huge.json", b" " * (results.MAX_FILE_BYTES + 1))])
    assert len(bomb) < 100_000 and len(many) < 200_000
    reasons = dict(zip(found.problems["file"], found.problems["problem"]))
    assert reasons["bomb.zip/bomb.json"].startswith("larger than 10 MB")
    assert "the archive unpacks to more than 50 MB" in reasons["many.zip/f5.json"]
    assert "many.zip/f6.json" not in reasons, "nothing after the limit is unpacked"
    assert reasons["nested.zip/inner.zip"] == "an archive inside the archive, which is not opened"
    assert reasons["damaged.zip"].startswith("not a zip archive that can be opened")
    assert reasons[name].startswith("not a results file from this course")
    assert reasons["huge.json"].startswith("larger than 10 MB")
    assert found.learners == 1, "the file inside the archive is read; its odd path names nothing on disk"
    assert not any(Path(p).exists() for p in ("/etc/evil<script>.json", "../../etc/evil<script>.json"))


# ------------------------------------------------------------------ CSV and Excel

FORMULAS = ["=HYPERLINK(\"http://127.0.0.1/\",\"x\")", "+1+1", "-2+3", "@SUM(1)", "=cmd|' /C calc'!A0"]


def test_exports_keep_every_table_and_never_write_a_formula(tmp_path):
    folder = class_with_retries(tmp_path / "class")
    for n, formula in enumerate(FORMULAS):   # file names a spreadsheet would take for formulas
        write(folder, formula.replace("/", "_").replace("|", "_").replace("\"", "_") + f"{n}.json", "{}")
    found = results.read_folder(folder, anonymise=False)
    found.problems.loc[len(found.problems)] = FORMULAS[:3]
    found.problems.loc[len(found.problems)] = FORMULAS[3:] + ["-"]
    tables = results.report(found)
    written = results.export(tables, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(["class-results.xlsx"] + [f"{t.name}.csv" for t in tables])

    book = load_workbook(tmp_path / "out" / "class-results.xlsx")
    assert book.sheetnames == [t.name for t in tables]
    problems = book["problems"]
    texts = [c for row in problems.iter_rows() for c in row if isinstance(c.value, str)]
    for formula in FORMULAS:
        cells = [c for c in texts if c.value == formula]
        assert cells, f"{formula!r} should be in the workbook as it is"
        assert all(c.data_type == "s" for c in cells), f"{formula!r} became a formula"
    with zipfile.ZipFile(tmp_path / "out" / "class-results.xlsx") as xlsx:
        sheets = [xlsx.read(n) for n in xlsx.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets), "no formula anywhere in the workbook"
    learners = {row[0].value: row for row in book["learners"].iter_rows(min_row=2)}
    header = [c.value for c in next(book["learners"].iter_rows(max_row=1))]
    ada, cem = learners["Ada"], learners["Cem"]
    assert ada[header.index("share correct")].value == 0.5 and ada[header.index("share correct")].number_format == "0%"
    assert cem[header.index("share correct")].value == "unknown"

    raw = (tmp_path / "out" / "problems.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [cell for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], "a spreadsheet would run these"
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{formula!r} should be kept, after an apostrophe"
