"""The participant evaluation (issue 12, section 5): the in-book form asks what the printed one
asks, saves each answer as it is given, travels in the results file, and the results tools add
the ratings up and show every comment as the participant's text, never as markup."""
from __future__ import annotations

import json
import re
from pathlib import Path

from peaceops import data, results

ROOT = Path(__file__).resolve().parent.parent
FORM = data.load_evaluation()
PAGE, PROGRESS = "book/evaluation.html", "book/progress.html"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\"><script>window.pwned=1</script>"


def test_the_printed_form_and_the_book_ask_the_same():
    printed = (ROOT / "book" / "instructor" / "evaluation-form.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\* - (.+)$", printed, flags=re.M)
    assert [s["text"] for s in FORM["statements"]] == [r for r in rows if r.endswith(".")][:len(FORM["statements"])]
    assert all(r in rows for r in [c["prompt"] for c in FORM["comments"]]), "an open question differs"
    assert f"1 = {FORM['scale']['low']}, 5 = {FORM['scale']['high']}" in printed
    overall = FORM["overall"]
    assert f"{overall['text']}** ☐ 1 {overall['low']}" in printed and f"☐ 5 {overall['high']}" in printed


def _answers(page) -> dict:
    raw = page.evaluate("localStorage.getItem('peaceops/v1/evaluation')")
    return json.loads(raw) if raw else {}


def test_evaluation_in_the_book_saves_exports_and_is_summarised_as_text(make_page, browser, tmp_path):
    watched = make_page(width=375)
    page = watched.goto(PAGE)
    statements = FORM["statements"]
    page.locator(f"#po-evaluation-{statements[0]['id']}-4").check()
    page.locator(f"#po-evaluation-{statements[1]['id']}-2").check()
    page.locator(f"#po-evaluation-{FORM['overall']['id']}-5").check()
    page.locator("#po-evaluation-role-police").check()
    page.locator(f"#po-evaluation-comment-{FORM['comments'][1]['id']}").fill(HOSTILE)
    assert "3 of 10 ratings and your comments" in page.locator("#po-evaluation-status").inner_text()
    target = page.locator(f"#po-evaluation-{statements[0]['id']}-4")
    box = target.bounding_box()
    label = page.locator(f"label[for='po-evaluation-{statements[0]['id']}-4']").bounding_box()
    assert min(box["width"], box["height"]) >= 20 and label["height"] >= 24, "rating targets too small to tap"

    page = watched.goto(PAGE)  # a later visit: everything is still there
    assert page.locator(f"#po-evaluation-{statements[0]['id']}-4").is_checked()
    assert page.locator(f"#po-evaluation-comment-{FORM['comments'][1]['id']}").input_value() == HOSTILE
    assert page.title() != "pwned" and page.evaluate("window.pwned") is None

    page = watched.goto(PROGRESS)
    with page.expect_download() as info:
        page.locator("#po-progress-export").click()
    folder = tmp_path / "class"
    folder.mkdir()
    info.value.save_as(folder / "one.json")
    exported = json.loads((folder / "one.json").read_text())
    assert exported["saved"]["evaluation"]["ratings"] == {statements[0]["id"]: 4, statements[1]["id"]: 2,
                                                          FORM["overall"]["id"]: 5}
    watched.assert_clean()

    # A second participant's file, written as the course writes it, and one the course cannot have written.
    second = {**exported, "learner": "Two", "saved": {"evaluation": {"ratings": {statements[0]["id"]: 1},
                                                                    "comments": {FORM["comments"][0]["id"]: "Plain words"}}}}
    (folder / "two.json").write_text(json.dumps(second), encoding="utf-8")
    bad = {**exported, "learner": "Three", "saved": {"evaluation": {"ratings": {statements[0]["id"]: 9}}}}
    (folder / "three.json").write_text(json.dumps(bad), encoding="utf-8")

    summary = results.evaluation_summary(folder)
    first = summary.ratings.iloc[0]
    assert (first["responses"], first["mean"], first["1"], first["4"]) == (2, 2.5, 1, 1)
    assert summary.ratings.iloc[-1]["statement"] == FORM["overall"]["text"] and summary.ratings.iloc[-1]["5"] == 1
    assert summary.ratings["responses"].tolist()[2:-1] == [0] * (len(statements) - 2)
    assert HOSTILE in summary.comments["comment"].tolist() and "Plain words" in summary.comments["comment"].tolist()
    assert "learner" not in summary.comments.columns, "comments are not tied to a participant"
    assert summary.roles.set_index("role")["responses"].to_dict() == {"civilian": 0, "military": 0, "police": 1, "other": 0}
    assert summary.problems["file"].tolist() == ["three.json"] and "rated 1 to 5" in summary.problems["problem"][0]

    # The teacher's view of the comments, in Chromium: the participant's text, shown as text.
    context = browser.new_context()
    try:
        context.route("**/*", lambda route: route.abort())
        view = context.new_page()
        view.set_content("<!doctype html><title>evaluation</title><body>"
                         + results.table(summary.comments, "evaluation-comments").data + "</body>")
        assert view.title() == "evaluation" and view.evaluate("window.pwned") is None
        assert view.evaluate("document.images.length + document.scripts.length") == 0
        assert HOSTILE in view.inner_text("body")
    finally:
        context.close()
