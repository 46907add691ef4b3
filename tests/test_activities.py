"""The learner-facing exercise data, without a browser: every activity opens with something to
decide; discussion questions and the solo simulation are data that the loaders check, and
hostile text in them is refused with the course's message."""
import itertools
import re
import shutil
from pathlib import Path

import pytest

from peaceops import data

ROOT = Path(__file__).resolve().parent.parent


def _all_values(decision):
    """Every value a learner can give a decision (for a multi decision: every set of options)."""
    values = data.decision_values(decision)
    if decision["kind"] != "multi":
        return values
    return [list(c) for n in range(len(values) + 1) for c in itertools.combinations(values, n)]


def _badness(activity, scenario_id, values):
    hits = data.evaluate_rules(activity, scenario_id, values)
    return (sum(r["verdict"] == "problem" for r in hits), sum(r["verdict"] == "caution" for r in hits))


@pytest.mark.parametrize("activity_id", data.activities())
def test_every_scenario_opens_with_something_to_decide(activity_id):
    """A scenario's starting point shows at least one problem or caution, and some reachable set
    of decisions is better (fewer problems, or as many and fewer cautions): it does not open solved."""
    act = data.load_activity(activity_id)
    space = [_all_values(d) for d in act["decisions"]]
    ids = [d["id"] for d in act["decisions"]]
    for sc in act["scenarios"]:
        start = _badness(act, sc["id"], sc["start"])
        assert sum(start) >= 1, f"{activity_id}/{sc['id']} opens with no problem and no caution"
        best = min(_badness(act, sc["id"], dict(zip(ids, combo))) for combo in itertools.product(*space))
        assert best < start, f"{activity_id}/{sc['id']} opens in its best state {start}"


def test_every_chapter_has_discussion_questions_shown_by_the_widget():
    for ch in data.load_chapters():
        disc = data.load_discussion(ch["id"])
        assert len(disc["questions"]) >= 3
        page = (ROOT / f"{ch['file']}.md").read_text(encoding="utf-8")
        section = re.search(r"^## Discussion questions\s*$(.*?)(?=^## |\Z)", page, flags=re.M | re.S).group(1)
        assert f"```{{discussion}} {ch['id']}\n" in section, ch["id"]
        assert not re.search(r"^\d+\. ", section, flags=re.M), f"{ch['id']}: questions belong in data/discussion/"
        for q in disc["questions"]:
            for point in q["points"]:  # a cited point shows its source as the book cites it
                assert bool(point["cite"]) == bool(point.get("sources"))
    assert data.load_discussion("ch01")["questions"][0]["points"][0]["cite"] == "Kaspersen and Revheim, n.d."


def test_solo_simulation_has_one_good_response_per_event_in_no_fixed_place():
    sim = data.load_solo_simulation("quessara-solo")
    assert sim["fictional"] and sim["title"].startswith("Fictional scenario")
    positions = []
    for step in sim["steps"]:
        verdicts = [o["verdict"] for o in step["options"]]
        assert verdicts.count("good") == 1
        positions.append(verdicts.index("good"))
        good = next(o for o in step["options"] if o["verdict"] == "good")
        # the right answer is not given away by being the longest by far
        assert len(good["label"]) <= 1.15 * min(len(o["label"]) for o in step["options"]), step["id"]
    assert len(set(positions)) >= 3, "the good response moves around"


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A copy of the course's data and references, used as the course root, to edit freely."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    monkeypatch.setenv("PEACEOPS_ROOT", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("bad, expected", [
    ("</script ><img src=x onerror=alert(1)>", r"contains '<'"),
    ("See {ref}`ch03` for more.", r"contains '<' or '\{'"),
])
def test_discussion_text_that_is_markup_is_refused(course_copy, bad, expected):
    path = course_copy / "data" / "discussion" / "ch02.yml"
    text = path.read_text(encoding="utf-8")
    first = data.load_discussion("ch02")["questions"][0]["prompt"].split()[0]
    path.write_text(text.replace(f"      {first} ", f"      {bad} {first} ", 1), encoding="utf-8")
    with pytest.raises(data.DataError, match=r"data/discussion/ch02.yml: question 'ch02-d1' \(questions\[0\]\).*" + expected):
        data.load_discussion("ch02")


def test_discussion_and_simulation_sources_must_exist(course_copy):
    path = course_copy / "data" / "discussion" / "ch03.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("[oslo2007]", "[nosuchkey2099]", 1), encoding="utf-8")
    with pytest.raises(data.DataError, match=r"ch03.yml: question .*'nosuchkey2099'.*Fix: add a BibTeX entry"):
        data.load_discussion("ch03")
    sim = course_copy / "data" / "simulation" / "quessara-solo.yml"
    sim.write_text(sim.read_text(encoding="utf-8").replace("verdict: good", "verdict: caution", 1), encoding="utf-8")
    with pytest.raises(data.DataError, match=r"step 'convoy' \(steps\[0\]\): field 'options' does not have exactly one"):
        data.load_solo_simulation("quessara-solo")
