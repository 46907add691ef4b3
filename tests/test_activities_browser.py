"""The activity, the spectrum explorer, the discussion questions and the solo simulation in the
built book, in Chromium at a laptop width (1366 px) and a phone width (375 px): what a learner
sees, touches, and finds again after a reload. Expected texts come from the course data."""
import json
import re

import pytest

from peaceops import data
from test_pages import _axe_violations, _report

CH01 = "book/ch01-what-integration-means.html"
SOLO = "book/simulation-solo.html"
WIDTHS = [1366, 375]
WCAG22 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]   # wcag22aa: target size 24 px
ACT = "po-activity-ch01-asymmetric"


def _axe(page, scheme="light"):
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme)
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    if not page.evaluate("typeof axe !== 'undefined'"):
        _axe_violations(page)  # injects axe-core
    violations = page.evaluate("""async (tags) => {
        const r = await axe.run(document.querySelectorAll('.po-widget'), {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }""", WCAG22)
    assert violations == [], _report(violations, scheme)


def _first_sentence(text):
    return re.match(r"^.*?[.!?](\s|$)", text).group(0).strip()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_activity_opens_solved(make_page, width):
    """Every chapter's activity, in every scenario, opens with a problem or a caution to work on."""
    watched = make_page(width=width)
    for activity_id in data.activities():
        act = data.load_activity(activity_id)
        page = watched.goto(f"{data.chapter(act['chapter'])['file']}.html")
        root = f"#po-activity-{activity_id}"
        for sc in act["scenarios"]:
            if len(act["scenarios"]) > 1:
                page.locator(f"{root}-scenario").select_option(sc["id"])
            status = page.locator(f"{root}-status").inner_text()
            counts = re.match(r"(\d+) problem\(s\), (\d+) caution\(s\), (\d+) strength\(s\)", status)
            assert counts and int(counts[1]) + int(counts[2]) >= 1, f"{activity_id}/{sc['id']}: {status}"
    watched.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_saved_activity_that_no_longer_fits_gives_a_notice_and_still_works(make_page, width):
    """Saved decisions from an older version of the activity (a decision missing, a value out of
    range, a scenario that no longer exists): what fits is kept, the rest starts from the
    scenario's starting point, the learner is told, and the old copy is kept aside."""
    watched = make_page(width=width)
    act = data.load_activity("ch01-asymmetric")
    sc = act["scenarios"][0]
    old = {"scenario": sc["id"], "values": {sc["id"]: {"political": 2, "security": 9, "humanitarian": 4, "development": 3},
                                            "gone-scenario": {"political": 1}}}
    page = watched.goto(CH01)
    page.evaluate("v => localStorage.setItem('peaceops/v1/activity/ch01-asymmetric', v)", json.dumps(old))
    page.reload()
    page.wait_for_selector(f"#{ACT}")
    widget = page.locator(f"#{ACT}")
    note = widget.locator(".po-notice").inner_text()
    assert "Security" in note and "Human rights" in note and "Political" not in note
    assert "set aside" in note and "activity/ch01-asymmetric.unreadable" in note
    assert "undefined" not in widget.inner_text()
    repaired = {**sc["start"], "political": 2, "humanitarian": 4, "development": 3}
    for d in act["decisions"]:
        assert page.locator(f"#{ACT}-{d['id']}").input_value() == str(repaired[d["id"]])
    shown = [li.get_attribute("data-rule") for li in page.locator(f"#{ACT}-feedback li").all()]
    assert shown == [r["id"] for r in data.evaluate_rules(act, sc["id"], repaired)]
    kept = page.evaluate("localStorage.getItem('peaceops/v1/activity/ch01-asymmetric.unreadable')")
    assert json.loads(kept) == old
    # a second set-aside keeps the first
    page.evaluate("v => localStorage.setItem('peaceops/v1/activity/ch01-asymmetric', v)", json.dumps(old))
    page.reload()
    page.wait_for_selector(f"#{ACT}")
    assert "activity/ch01-asymmetric.unreadable-2" in page.locator(f"#{ACT} .po-notice").inner_text()
    assert page.evaluate("localStorage.getItem('peaceops/v1/activity/ch01-asymmetric.unreadable')") == kept
    # and the widget still works
    page.locator(f"#{ACT}-political").focus()
    page.keyboard.press("End")
    assert "problem(s)" in page.locator(f"#{ACT}-status").inner_text()
    watched.assert_clean()


def test_activity_decisions_persist_across_reload(make_page):
    watched = make_page(width=375)
    page = watched.goto(CH01)
    act = data.load_activity("ch01-asymmetric")
    other = act["scenarios"][1]
    page.locator(f"#{ACT}-scenario").select_option(other["id"])
    page.locator(f"#{ACT}-development").focus()
    page.keyboard.press("Home")
    page.reload()
    page.wait_for_selector(f"#{ACT}")
    assert page.locator(f"#{ACT}-scenario").input_value() == other["id"]
    assert page.locator(f"#{ACT}-development").input_value() == "1"
    stored = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/activity/ch01-asymmetric')"))
    assert stored == {"scenario": other["id"], "values": {other["id"]: {**other["start"], "development": 1}}}
    watched.assert_clean()


def test_activity_announces_which_consequence_appeared(watched):
    page = watched.goto(CH01)
    act = data.load_activity("ch01-asymmetric")
    sc = act["scenarios"][0]
    before = {r["id"] for r in data.evaluate_rules(act, sc["id"], sc["start"])}
    values = {**sc["start"], "humanitarian": sc["start"]["humanitarian"] - 1}
    after = data.evaluate_rules(act, sc["id"], values)
    page.locator(f"#{ACT}-humanitarian").focus()
    page.keyboard.press("ArrowLeft")
    status = page.locator(f"#{ACT}-status")
    assert status.get_attribute("aria-live") == "polite"
    text = status.inner_text()
    nouns = {"problem": "problem", "caution": "caution", "good": "strength"}
    appeared = [r for r in after if r["id"] not in before]
    gone = [r for r in data.evaluate_rules(act, sc["id"], sc["start"]) if r["id"] not in {x["id"] for x in after}]
    assert appeared and gone
    for r in appeared:
        assert f"New {nouns[r['verdict']]}: {_first_sentence(r['message'])}" in text
        assert page.locator(f"#{ACT}-feedback li[data-rule='{r['id']}'] .po-new").inner_text() == "New"
    for r in gone:
        assert f"No longer shown ({nouns[r['verdict']]}): {_first_sentence(r['message'])}" in text
    watched.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_spectrum_targets_are_large_and_labels_sit_under_their_stops(make_page, width):
    watched = make_page(width=width)
    page = watched.goto(CH01)
    stages = data.load_spectrum()["stages"]
    slider = page.locator("#po-spectrum-stage")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box["height"] >= 24
    thumb = float(page.evaluate("el => getComputedStyle(el).getPropertyValue('--po-thumb')", slider.element_handle()).strip("px "))
    assert thumb >= 24
    ticks = page.locator("#po-spectrum-scale .po-tick").all()
    boxes = [t.bounding_box() for t in ticks]
    for i, b in enumerate(boxes):
        assert b["width"] >= 24 and b["height"] >= 24, (i, b)
        stop = box["x"] + thumb / 2 + (box["width"] - thumb) * i / (len(stages) - 1)
        if 0 < i < len(stages) - 1:   # centred under its stop
            assert abs(b["x"] + b["width"] / 2 - stop) <= 3, (i, b, stop)
        else:                         # the ends line up with the slider's ends, over their stop
            assert b["x"] <= stop <= b["x"] + b["width"], (i, b, stop)
            assert abs((b["x"] if i == 0 else b["x"] + b["width"]) - (box["x"] if i == 0 else box["x"] + box["width"])) <= 2
    for i, a in enumerate(boxes):     # no label covers another
        for b in boxes[i + 1:]:
            assert a["x"] + a["width"] <= b["x"] + 1 or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1
    # tapping the slider above a label selects that label's stage
    for i, b in enumerate(boxes):
        page.mouse.click(box["x"] + thumb / 2 + (box["width"] - thumb) * i / (len(stages) - 1), box["y"] + box["height"] / 2)
        assert slider.input_value() == str(i + 1)
        assert ticks[i].get_attribute("aria-current") == "step"
    _axe(page)
    watched.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_spectrum_says_what_changed_next_to_the_slider(make_page, width):
    watched = make_page(width=width, height=800)
    page = watched.goto(CH01)
    stages = data.load_spectrum()["stages"]
    slider = page.locator("#po-spectrum-stage")
    slider.scroll_into_view_if_needed()
    slider.focus()
    page.keyboard.press("ArrowRight")
    change = page.locator("#po-spectrum-change")
    assert change.get_attribute("role") == "status"
    text = change.inner_text()
    a, b = stages[0], stages[1]
    assert text.startswith(f"Now Stage 2 of {len(stages)}, {b['label']} (course scaffold)")
    assert f"investment needed rises from {a['investment']['level']} to {b['investment']['level']}" in text
    assert _first_sentence(b["summary"]) in text      # the rest is in the panels below
    # the summary of the change is in view while the learner's hand is on the slider
    view = page.viewport_size
    cb, sb = change.bounding_box(), slider.bounding_box()
    assert 0 <= sb["y"] and cb["y"] + cb["height"] <= view["height"], (sb, cb, view)
    page.keyboard.press("Home")
    assert "investment needed falls from" in change.inner_text()
    watched.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_discussion_answer_is_kept_and_reveals_the_points(make_page, width):
    watched = make_page(width=width)
    page = watched.goto(CH01)
    q = data.load_discussion("ch01")["questions"][2]
    base = f"#po-discussion-{q['id']}"
    points = page.locator(f"{base}-points")
    page.locator(f"{base}-compare").click()         # nothing written yet: nothing revealed
    assert points.is_hidden()
    assert "Write your answer first" in page.locator(f"{base}-status").inner_text()
    assert page.evaluate("document.activeElement.id") == f"po-discussion-{q['id']}-answer"
    answer = "My university shares buildings (administrative) but each faculty sets its own strategy."
    page.locator(f"{base}-answer").fill(answer)
    page.reload()
    page.wait_for_selector(".po-discussion")
    assert page.locator(f"{base}-answer").input_value() == answer
    assert points.is_hidden()
    page.locator(f"{base}-compare").click()
    assert points.is_visible()
    shown = points.inner_text()
    for p in q["points"]:
        assert p["text"] in shown
    assert "(Kaspersen and Revheim, n.d.)" in shown
    assert page.evaluate("document.activeElement.id") == f"po-discussion-{q['id']}-points-title"
    page.reload()
    page.wait_for_selector(".po-discussion")
    assert points.is_visible()                       # once compared, the points stay shown
    stored = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/notes/ch01')"))
    assert stored == {"answers": {q["id"]: answer}, "compared": [q["id"]]}
    for scheme in ("light", "dark"):
        _axe(page, scheme)
    watched.assert_clean()


def test_discussion_notes_that_no_longer_fit_are_set_aside_with_a_notice(watched):
    page = watched.goto(CH01)
    old = {"answers": {"ch01-d1": "kept", "ch01-d99": "a question since removed", "ch01-d2": 42}}
    page.evaluate("v => localStorage.setItem('peaceops/v1/notes/ch01', v)", json.dumps(old))
    page.reload()
    page.wait_for_selector(".po-discussion")
    assert "2 saved answers did not match" in page.locator(".po-discussion .po-notice").inner_text()
    assert page.locator("#po-discussion-ch01-d1-answer").input_value() == "kept"
    assert json.loads(page.evaluate("localStorage.getItem('peaceops/v1/notes/ch01.unreadable')")) == old
    watched.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_solo_simulation_can_be_played_to_the_end(make_page, width):
    watched = make_page(width=width)
    page = watched.goto(SOLO)
    sim = data.load_solo_simulation("quessara-solo")
    steps = sim["steps"]
    assert "Fictional scenario" in page.locator(".po-simulation").inner_text()
    verdicts = []
    for n, step in enumerate(steps):
        base = f"#po-simulation-{step['id']}"
        assert page.locator(".po-sim-step").count() == n + 1       # one event at a time
        page.locator(f"{base}-decide").click()                     # no choice yet: asked to choose
        assert page.locator(f"{base}-hint").inner_text() == "Choose one response first."
        option = step["options"][n % len(step["options"])]          # a different place each time
        page.locator(f"{base}-{option['id']}").check()
        page.locator(f"{base}-decide").click()
        feedback = page.locator(f"{base}-feedback")
        assert option["feedback"] in feedback.inner_text() and step["lesson"] in feedback.inner_text()
        assert page.evaluate("document.activeElement.id") == f"po-simulation-{step['id']}-feedback"
        assert page.locator(f"{base}-{option['id']}").is_disabled()   # decided, as in a meeting
        verdicts.append(option["verdict"])
    assert not re.search(r"\b(null|undefined)\b", page.locator(".po-simulation").inner_text())
    end = page.locator("#po-simulation-quessara-solo-end")
    expected = f"Of your {len(steps)} decisions, {verdicts.count('good')} fit good practice, {verdicts.count('caution')} were defensible"
    assert expected in end.inner_text()
    for q in sim["reflection"]:
        assert q in end.inner_text()
    for scheme in ("light", "dark"):
        _axe(page, scheme)
    page.reload()                                                   # the game is remembered
    page.wait_for_selector(".po-simulation")
    assert expected in page.locator("#po-simulation-quessara-solo-end").inner_text()
    page.locator("#po-simulation-quessara-solo-restart").click()
    assert page.locator(".po-sim-step").count() == 1
    assert page.evaluate("document.activeElement.id") == f"po-simulation-{steps[0]['id']}-title"
    watched.assert_clean()
