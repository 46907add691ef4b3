"""The data loaders: the course's own files load, and bad files get an error that names the
file, the entry, the field and the fix, while the file itself is left exactly as it was."""
import shutil
from pathlib import Path

import pytest
import yaml

from peaceops import DataError, data

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ the course's own data

def test_every_chapter_quiz_and_activity_loads():
    chapters = data.load_chapters()
    assert [c["number"] for c in chapters] == list(range(1, len(chapters) + 1))
    for ch in chapters:
        quiz = data.load_quiz(ch["id"])
        assert len(quiz["questions"]) >= 8, f"{ch['id']} needs at least 8 questions"
        tested = {q["objective"] for q in quiz["questions"]}
        assert tested == {o["id"] for o in ch["objectives"]}, f"{ch['id']}: every objective needs a question"
    for activity_id in data.activities():
        data.load_activity(activity_id)
    data.load_spectrum()


def test_spectrum_marks_its_scaffold():
    stages = data.load_spectrum()["stages"]
    assert stages[0]["basis"] == stages[-1]["basis"] == "proceedings"
    assert all(s["basis"] == "scaffold" for s in stages[1:-1])


def test_tables_are_dataframes():
    assert list(data.chapters_table().columns) == ["number", "id", "title", "page", "minutes", "objectives"]
    assert set(data.objectives_table()["chapter"]) == {c["id"] for c in data.load_chapters()}
    table = data.quiz_table("ch01")
    assert len(table) == len(data.load_quiz("ch01")["questions"])
    assert list(data.spectrum_table()["position"]) == list(range(1, len(data.load_spectrum()["stages"]) + 1))


# ------------------------------------------------------------------ bad input

@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the course's data and bibliography, which the loaders read instead of the real one."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    monkeypatch.setenv("PEACEOPS_ROOT", str(tmp_path))
    return tmp_path


def edit_yaml(path, change):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def error_for(loader, path, *args):
    before = path.read_bytes()
    with pytest.raises(DataError) as exc:
        loader(*args)
    assert path.read_bytes() == before, "a loader must never change the file it reads"
    return str(exc.value)


def test_missing_feedback(course):
    path = course / "data/quizzes/ch01.yml"
    edit_yaml(path, lambda d: d["questions"][0]["options"][1].pop("feedback"))
    q = yaml.safe_load(path.read_text())["questions"][0]
    assert error_for(data.load_quiz, path, "ch01") == (
        f"data/quizzes/ch01.yml: question '{q['id']}' (questions[0]), option '{q['options'][1]['id']}' (options[1]): "
        "field 'feedback' is missing. Fix: explain in 'feedback' why this option is right or wrong; "
        "learners see it after checking.")


def test_two_correct_options_in_a_single_choice_question(course):
    path = course / "data/quizzes/ch01.yml"
    doc = yaml.safe_load(path.read_text())
    i = next(i for i, q in enumerate(doc["questions"]) if q["type"] == "single")
    edit_yaml(path, lambda d: [o.update(correct=True) for o in d["questions"][i]["options"][:2]])
    qid = doc["questions"][i]["id"]
    assert error_for(data.load_quiz, path, "ch01") == (
        f"data/quizzes/ch01.yml: question '{qid}' (questions[{i}]): field 'options' marks 2 options correct. "
        "Fix: mark exactly one option 'correct: true' in a single question.")


def test_unknown_question_type(course):
    path = course / "data/quizzes/ch01.yml"
    edit_yaml(path, lambda d: d["questions"][2].update(type="essay"))
    qid = yaml.safe_load(path.read_text())["questions"][2]["id"]
    message = error_for(data.load_quiz, path, "ch01")
    assert message.startswith(f"data/quizzes/ch01.yml: question '{qid}' (questions[2]): field 'type' has the value 'essay'")
    assert message.endswith("Fix: use one of: single, multiple, truefalse.")


def test_unknown_objective(course):
    path = course / "data/quizzes/ch01.yml"
    edit_yaml(path, lambda d: d["questions"][0].update(objective="ch01-nothing"))
    message = error_for(data.load_quiz, path, "ch01")
    assert "field 'objective' is 'ch01-nothing', which is not an objective of ch01. Fix: use one of: ch01-" in message


def test_source_missing_from_the_bibliography(course):
    path = course / "data/quizzes/ch01.yml"
    edit_yaml(path, lambda d: d["questions"][0].update(source="nobody1999"))
    qid = yaml.safe_load(path.read_text())["questions"][0]["id"]
    assert error_for(data.load_quiz, path, "ch01") == (
        f"data/quizzes/ch01.yml: question '{qid}' (questions[0]): field 'source' names the reference 'nobody1999', "
        "which references.bib does not define. Fix: add a BibTeX entry with that key to references.bib, "
        "or use an existing key.")


def test_broken_yaml_names_the_line(course):
    path = course / "data/quizzes/ch01.yml"
    path.write_text("chapter: ch01\nquestions:\n  - id: a\n   type: single\n", encoding="utf-8")
    message = error_for(data.load_quiz, path, "ch01")
    assert message.startswith("data/quizzes/ch01.yml: is not valid YAML at line 4, column 4")
    assert "Fix: check the indentation and quoting on that line" in message


def test_misspelt_field(course):
    path = course / "data/quizzes/ch01.yml"
    edit_yaml(path, lambda d: d["questions"][0].update(promt="typo"))
    qid = yaml.safe_load(path.read_text())["questions"][0]["id"]
    message = error_for(data.load_quiz, path, "ch01")
    assert message.startswith(f"data/quizzes/ch01.yml: question '{qid}' (questions[0]): field 'promt' is not a known field.")
    assert "Fix: remove it or correct its spelling (known fields: id, type, objective, prompt, source, options)." in message


def test_missing_quiz_file(course):
    path = course / "data/quizzes/ch99.yml"
    with pytest.raises(DataError, match=r"^data/quizzes/ch99.yml: does not exist. Fix: create ch99.yml"):
        data.load_quiz("ch99")
    assert not path.exists()


def test_activity_rule_without_coverage(course):
    path = course / "data/activities/ch01-asymmetric.yml"

    def drop_rules_naming_security(doc):
        sc = doc["scenarios"][0]
        sc["rules"] = [r for r in sc["rules"] if "security" not in r["when"]]

    edit_yaml(path, drop_rules_naming_security)
    sid = yaml.safe_load(path.read_text())["scenarios"][0]["id"]
    assert error_for(data.load_activity, path, "ch01-asymmetric") == (
        f"data/activities/ch01-asymmetric.yml: scenario '{sid}' (scenarios[0]): field 'rules' give no feedback "
        "when 'security' is 1. Fix: add a rule whose 'when' names this decision and matches that value.")


def test_activity_rule_naming_an_unknown_decision(course):
    path = course / "data/activities/ch01-asymmetric.yml"
    edit_yaml(path, lambda d: d["scenarios"][0]["rules"][0].update(when={"economy": {"min": 2}}))
    doc = yaml.safe_load(path.read_text())
    rid, sid = doc["scenarios"][0]["rules"][0]["id"], doc["scenarios"][0]["id"]
    message = error_for(data.load_activity, path, "ch01-asymmetric")
    assert message.startswith(f"data/activities/ch01-asymmetric.yml: scenario '{sid}' (scenarios[0]), rule '{rid}' (rules[0]): "
                              "field 'when' names 'economy', which is not a decision of this activity. Fix: use one of: political")


def test_fictional_scenario_must_say_so(course):
    path = course / "data/activities/ch01-asymmetric.yml"
    edit_yaml(path, lambda d: d["scenarios"][0].update(title="War in the east"))
    message = error_for(data.load_activity, path, "ch01-asymmetric")
    assert "field 'title' does not say the scenario is fictional. Fix: start the title with 'Fictional scenario:'" in message


def test_spectrum_ends_must_come_from_the_proceedings(course):
    path = course / "data/spectrum.yml"
    edit_yaml(path, lambda d: d["stages"][-1].update(basis="scaffold"))
    message = error_for(data.load_spectrum, path)
    assert "field 'basis' is not 'proceedings'" in message


def test_csv_row_without_source(course):
    path = course / "data/timeline.csv"
    path.write_text("date,event,source\n2000-08,Brahimi Report,brahimi2000\n2006-02,Note of Guidance,\n", encoding="utf-8")
    assert error_for(data.load_table, path, "timeline", ["date", "event"]) == (
        "data/timeline.csv: row 3: field 'source' is empty. Fix: fill in 'source' (every fact needs its source).")


def test_an_edited_file_is_read_again(course):
    """Loaders keep what they checked while the files stay the same (a build asks for each file
    many times); an author's edit must still show in the next load, a broken edit must still be
    refused, and the result must be the caller's own copy."""
    quiz_path, chapters_path = course / "data/quizzes/ch01.yml", course / "data/chapters.yml"
    first = data.load_quiz("ch01")
    first["questions"][0]["prompt"] = "changed by a caller"
    assert data.load_quiz("ch01")["questions"][0]["prompt"] != "changed by a caller"

    edit_yaml(quiz_path, lambda d: d["questions"][0].update(prompt="A prompt the author rewrote?"))
    assert data.load_quiz("ch01")["questions"][0]["prompt"] == "A prompt the author rewrote?"

    # A file the quiz is checked against (its chapter's objectives) changes too: checked again.
    objective = first["questions"][0]["objective"]
    edit_yaml(chapters_path, lambda d: [o.update(id=o["id"] + "-renamed") for c in d["chapters"]
                                        for o in c["objectives"] if o["id"] == objective])
    assert f"is '{objective}', which is not an objective of ch01" in error_for(data.load_quiz, quiz_path, "ch01")
