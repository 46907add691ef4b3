"""The widgets' Python side: the state they send to the page, and what a teacher reads back."""
import json
import subprocess
import random
from pathlib import Path

import pytest
import traitlets

from peaceops import Activity, Quiz, SpectrumExplorer, data

ROOT = Path(__file__).resolve().parent.parent


def test_widget_state_carries_its_own_code_and_style():
    """The built book has no kernel: each widget's module and CSS must travel in its state."""
    for widget in (Quiz("ch01"), SpectrumExplorer(), Activity("ch01-asymmetric")):
        state = widget.get_state()
        assert "export default" in state["_esm"] and "function render" in state["_esm"]
        assert ".po-widget" in state["_css"]
        assert "import " not in state["_esm"].split("export default")[0], "no imports: nothing to fetch"


def test_quiz_results_follow_the_answers_trait():
    quiz = Quiz("ch01")
    questions = quiz.questions
    assert not quiz.results()["answered"].any()
    single = next(q for q in questions if q["type"] == "single")
    wrong = next(o["id"] for o in single["options"] if not o["correct"])
    multi = next(q for q in questions if q["type"] == "multiple")
    right = [o["id"] for o in multi["options"] if o["correct"]]
    quiz.answers = {single["id"]: [wrong], multi["id"]: right}  # as the page sends them
    results = quiz.results().set_index("question")
    assert results.loc[single["id"], "answered"] and not results.loc[single["id"], "correct"]
    assert results.loc[multi["id"], "correct"]
    assert results["answered"].sum() == 2


def test_spectrum_stage_is_validated_and_readable():
    explorer = SpectrumExplorer()
    stages = data.load_spectrum()["stages"]
    assert explorer.current()["id"] == stages[0]["id"]
    explorer.stage = len(stages)
    assert explorer.current()["label"] == stages[-1]["label"]
    with pytest.raises(traitlets.TraitError, match="stage must be between 1 and"):
        explorer.stage = len(stages) + 1
    assert list(explorer.table()["stage"]) == [s["label"] for s in stages]


def test_activity_choices_and_consequences():
    act = Activity("ch01-asymmetric")
    scenario = act.activity["scenarios"][0]
    assert act.scenario == scenario["id"]
    assert act.values == scenario["start"]
    table = act.choose(humanitarian=5)
    assert list(table["rule"]) == [r["id"] for r in data.evaluate_rules(act.activity, act.scenario, act.values)]
    assert act.feedback == list(table["rule"])
    choices = act.choices().set_index("decision")
    assert choices.loc["humanitarian", "value"] == 5
    assert choices.loc["humanitarian", "shown as"].startswith("5: ")
    verdicts = list(table["verdict"])
    assert verdicts == sorted(verdicts, key=data.VERDICTS.index), "problems first, then cautions, then strengths"


def _js_results(activity, cases):
    """Evaluate rules with the page's own code (activity.js) in Node."""
    from peaceops.widgets import _module
    script = """
const chunks = []; process.stdin.on('data', c => chunks.push(c)); process.stdin.on('end', async () => {
  const {module, activity, cases} = JSON.parse(Buffer.concat(chunks).toString());
  const m = await import('data:text/javascript;base64,' + Buffer.from(module).toString('base64'));
  console.log(JSON.stringify(cases.map(c => m.evaluateRules(activity, c.scenario, c.values).map(r => r.id))));
});"""
    payload = json.dumps({"module": _module("activity"), "activity": activity, "cases": cases})
    out = subprocess.run(["node", "-e", script], input=payload, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("activity_id", data.activities())
def test_page_and_python_apply_the_same_rules(activity_id):
    """The rules run in the page (JavaScript) and in Python (teachers' tables); they must agree."""
    act = data.load_activity(activity_id)
    rng = random.Random(2007)
    cases = []
    for sc in act["scenarios"]:
        cases.append({"scenario": sc["id"], "values": sc["start"]})
        for _ in range(60):
            values = {}
            for d in act["decisions"]:
                options = data.decision_values(d)
                values[d["id"]] = (rng.sample(options, rng.randint(0, len(options))) if d["kind"] == "multi"
                                   else rng.choice(options))
            cases.append({"scenario": sc["id"], "values": values})
    python = [[r["id"] for r in data.evaluate_rules(act, c["scenario"], c["values"])] for c in cases]
    assert _js_results(act, cases) == python


def test_class_results_list_bad_files_and_summarise(tmp_path):
    from peaceops import results
    folder = results.write_example_folder(tmp_path / "class", learners=6, seed=1)
    (folder / "empty.json").write_text("", encoding="utf-8")
    (folder / "stranger.json").write_text(json.dumps({"format": "peaceops-results", "version": 1,
                                                      "quizzes": {"ch01": {"answers": {"nope": ["a"]}}}}))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    answers, problems = results.load_folder(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "files are only read"
    reasons = dict(zip(problems["file"], problems["problem"]))
    assert reasons["broken-download.json"].startswith("not valid JSON")
    assert reasons["other-course.json"].startswith("not a results file from this course")
    assert reasons["empty.json"].startswith("not valid JSON")
    assert reasons["stranger.json"] == "quiz 'ch01' answers 'nope', which is not a question of this course"
    assert sorted(answers["learner"].unique()) == [f"Learner {n}" for n in range(1, 7)]
    named, _ = results.load_folder(folder, anonymise=False)
    assert "Example learner 1" in set(named["learner"])
    summary = results.question_summary(answers).set_index("question")
    q = data.load_quiz("ch01")["questions"][0]
    mine = answers[answers["question"] == q["id"]]
    assert summary.loc[q["id"], "answered"] == len(mine)
    # share correct counts first tries (quiz.js records them); correct now, the answers after retries
    assert summary.loc[q["id"], "share correct"] == round(mine["first try correct"].astype(float).mean(), 2)
    assert summary.loc[q["id"], "correct now"] == round(mine["correct"].mean(), 2)
    mastery = results.objective_mastery(answers).set_index("objective")
    assert 0 <= mastery["secure"].min() <= mastery["secure"].max() <= 1
