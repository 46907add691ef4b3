"""The chapter 1 widgets in the built book, in Chromium, with no kernel and no network:
what a learner clicks, types and sees. Expected answers come from the course data."""
import re

from peaceops import data

CH01 = "book/ch01-what-integration-means.html"


def _first_question():
    quiz = data.load_quiz("ch01")
    q = next(q for q in quiz["questions"] if q["type"] == "single")
    right = next(o for o in q["options"] if o["correct"])
    wrong = next(o for o in q["options"] if not o["correct"])
    return quiz, q, right, wrong


def _qid(q):
    return f"po-quiz-ch01-{q['id']}"


def test_quiz_wrong_then_right_answer(watched):
    page = watched.goto(CH01)
    quiz, q, right, wrong = _first_question()
    qid = _qid(q)
    summary = page.locator("#po-quiz-ch01-summary")
    assert summary.inner_text() == f"Score: 0 of {len(quiz['questions'])} correct (0 of {len(quiz['questions'])} answered)."

    page.locator(f"#{qid}-{wrong['id']}").check()
    page.locator(f"#{qid}-check").click()
    assert page.locator(f"#{qid}-result").inner_text().startswith("Not quite.")
    # the chosen option explains, in words, why it is wrong; the right one is not given away,
    # so that trying again is still worth it
    assert page.locator(f"#{qid}-{wrong['id']}-fb").inner_text() == wrong["feedback"]
    wrong_row = page.locator(f"#{qid}-{wrong['id']}").locator("xpath=..")
    assert "Your choice. Not correct." in wrong_row.inner_text()
    right_row = page.locator(f"#{qid}-{right['id']}").locator("xpath=..")
    assert page.locator(f"#{qid}-{right['id']}-fb").inner_text() == ""
    assert "Correct answer." not in right_row.inner_text()
    assert summary.inner_text().startswith(f"Score: 0 of {len(quiz['questions'])} correct (1 of")
    # until the learner asks for every option explained
    page.locator(f"#{qid}-show-all").click()
    assert page.locator(f"#{qid}-{right['id']}-fb").inner_text() == right["feedback"]
    assert "Correct answer." in right_row.inner_text()
    assert page.locator(f"#{qid}-show-all").is_hidden()
    assert page.evaluate("document.activeElement.id") == f"{qid}-retry"

    page.locator(f"#{qid}-retry").click()
    page.locator(f"#{qid}-{right['id']}").check()
    page.locator(f"#{qid}-check").click()
    assert page.locator(f"#{qid}-result").inner_text().startswith("Correct.")
    assert summary.inner_text().startswith(f"Score: 1 of {len(quiz['questions'])} correct (1 of")
    watched.assert_clean()


def test_quiz_multiple_select_needs_every_correct_option(watched):
    page = watched.goto(CH01)
    q = next(q for q in data.load_quiz("ch01")["questions"] if q["type"] == "multiple")
    correct = [o for o in q["options"] if o["correct"]]
    qid = _qid(q)
    for o in correct[:-1]:  # all but one correct option: not yet right
        page.locator(f"#{qid}-{o['id']}").check()
    if len(correct) > 1:
        page.locator(f"#{qid}-check").click()
        assert page.locator(f"#{qid}-result").inner_text().startswith("Not quite")
        page.locator(f"#{qid}-retry").click()
        for o in correct[:-1]:
            page.locator(f"#{qid}-{o['id']}").check()
    page.locator(f"#{qid}-{correct[-1]['id']}").check()
    page.locator(f"#{qid}-check").click()
    assert page.locator(f"#{qid}-result").inner_text().startswith("Correct.")


def test_quiz_by_keyboard_alone(watched):
    page = watched.goto(CH01)
    quiz, q, right, wrong = _first_question()
    qid = _qid(q)
    # Reach the question's first option with Tab, as a keyboard user would.
    # Start from the question's text (made focusable only for this test) and press Tab.
    page.locator(f"#{qid} legend").evaluate("el => { el.tabIndex = -1; el.focus(); }")
    page.keyboard.press("Tab")
    # options appear in this learner's own order: read it from the page
    option_ids = page.locator(f"#{qid} input").evaluate_all("els => els.map((e) => e.value)")
    assert page.evaluate("document.activeElement.id") == f"{qid}-{option_ids[0]}"
    # Arrow keys move between radio options; pick the right one by its position on screen.
    for _ in range(option_ids.index(right["id"])):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.locator(f"#{qid}-{right['id']}").is_checked()
    page.keyboard.press("Tab")  # to "Check answer"
    assert page.evaluate("document.activeElement.id") == f"{qid}-check"
    page.keyboard.press("Enter")
    assert page.locator(f"#{qid}-result").inner_text().startswith("Correct.")
    # focus moved to "Try again", not lost
    assert page.evaluate("document.activeElement.id") == f"{qid}-retry"
    # the result is announced: it sits in a polite live region
    assert page.locator(f"#{qid}-result").get_attribute("aria-live") == "polite"


def test_quiz_keeps_answers_across_reload_and_resets(watched):
    page = watched.goto(CH01)
    quiz, q, right, wrong = _first_question()
    qid = _qid(q)
    page.locator(f"#{qid}-{wrong['id']}").check()
    page.locator(f"#{qid}-check").click()
    page.reload()
    page.wait_for_selector(".po-quiz")
    assert page.locator(f"#{qid}-{wrong['id']}").is_checked()
    assert page.locator(f"#{qid}-result").inner_text().startswith("Not quite.")
    assert "(1 of" in page.locator("#po-quiz-ch01-summary").inner_text()

    page.locator("#po-quiz-ch01-reset").click()
    page.locator("#po-quiz-ch01-reset-confirm").click()  # reset asks first
    assert page.locator("#po-quiz-ch01-summary").inner_text().startswith("Quiz reset.")
    page.reload()
    page.wait_for_selector(".po-quiz")
    assert not page.locator(f"#{qid}-{wrong['id']}").is_checked()
    assert "(0 of" in page.locator("#po-quiz-ch01-summary").inner_text()


def test_quiz_with_unreadable_saved_answers_says_so_and_keeps_them(watched):
    page = watched.goto(CH01)
    page.evaluate("localStorage.setItem('peaceops/v1/quiz/ch01', '{not json')")
    page.evaluate("localStorage.setItem('peaceops/v1/spectrum', JSON.stringify({stage: 2}))")
    page.reload()
    page.wait_for_selector(".po-quiz")
    assert "could not be read" in page.locator(".po-quiz .po-notice").inner_text()
    assert page.evaluate("localStorage.getItem('peaceops/v1/quiz/ch01.unreadable')") == "{not json"
    # other saved work is untouched
    assert page.locator("#po-spectrum-stage").input_value() == "2"
    watched.assert_clean()


def test_spectrum_slider_by_keyboard_changes_the_panels(watched):
    page = watched.goto(CH01)
    stages = data.load_spectrum()["stages"]
    slider = page.locator("#po-spectrum-stage")
    panel = page.locator("#po-spectrum-panel")
    assert stages[0]["summary"] in panel.inner_text()
    slider.focus()
    page.keyboard.press("ArrowRight")
    text = panel.inner_text()
    assert f"Stage 2 of {len(stages)}: {stages[1]['label']}" in text
    assert stages[1]["summary"] in text
    assert "Course scaffold" in text  # intermediate stages are labelled as the course's device
    for lv in data.load_spectrum()["levels"]:
        assert stages[1]["coherence"][lv["id"]] in text
    assert slider.get_attribute("aria-valuetext").startswith(f"Stage 2 of {len(stages)}")
    page.keyboard.press("End")
    text = panel.inner_text()
    assert stages[-1]["label"] in text and "From the proceedings" in text
    assert stages[-1]["arrangement"] in text
    page.reload()
    page.wait_for_selector(".po-spectrum")
    assert slider.input_value() == str(len(stages))  # remembered
    watched.assert_clean()


def test_activity_decision_changes_the_consequences(watched):
    page = watched.goto(CH01)
    act = data.load_activity("ch01-asymmetric")
    scenario = act["scenarios"][0]
    feedback = page.locator("#po-activity-ch01-asymmetric-feedback")

    def shown_rules():
        return [li.get_attribute("data-rule") for li in feedback.locator("li").all()]

    expected = [r["id"] for r in data.evaluate_rules(act, scenario["id"], scenario["start"])]
    assert shown_rules() == expected
    slider = page.locator("#po-activity-ch01-asymmetric-humanitarian")
    slider.focus()
    page.keyboard.press("Home")
    humanitarian = next(d for d in act["decisions"] if d["id"] == "humanitarian")
    top = len(humanitarian["levels"])
    # what the learner sees under the slider, and what a screen reader announces, follow the knob
    label = slider.locator("xpath=following-sibling::output")
    assert label.inner_text() == humanitarian["levels"][0]
    assert slider.get_attribute("aria-valuetext") == f"1 of {top}: {humanitarian['levels'][0]}"
    values = {**scenario["start"], "humanitarian": 1}
    expected_after = [r["id"] for r in data.evaluate_rules(act, scenario["id"], values)]
    assert shown_rules() == expected_after != expected
    status = page.locator("#po-activity-ch01-asymmetric-status").inner_text()
    n_problems = sum(1 for r in data.evaluate_rules(act, scenario["id"], values) if r["verdict"] == "problem")
    assert re.match(rf"{n_problems} problem\(s\)", status)
    # another scenario brings its own brief and starting point
    other = act["scenarios"][1]
    page.locator("#po-activity-ch01-asymmetric-scenario").select_option(other["id"])
    assert other["brief"] in page.locator(".po-brief").inner_text()
    assert shown_rules() == [r["id"] for r in data.evaluate_rules(act, other["id"], other["start"])]
    watched.assert_clean()


def test_chapter_one_at_phone_width_has_no_sideways_scroll(make_page):
    watched = make_page(width=375, height=800)
    page = watched.goto(CH01)
    overflow = page.evaluate("""() => [...document.querySelectorAll('.po-widget')]
        .filter(w => w.scrollWidth > w.clientWidth + 1).length""")
    assert overflow == 0


def test_quiz_can_be_answered_before_the_rest_of_the_page_has_arrived(site, browser):
    """Each widget is shown as soon as the browser has parsed it (its state stands before its
    view): here the server holds back everything after chapter 1's quiz until the test has
    answered it, so the quiz must work while the page is still loading, and the held-back rest
    (the theme's scripts run at its end) changes nothing."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from conftest import WatchedPage
    html = (site / CH01).read_bytes()
    views = [m.end() for m in re.finditer(rb'<script type="application/vnd\.jupyter\.widget-view\+json">.*?</script>', html, re.S)]
    cut = views[-1]   # just after the quiz's view, the last widget of the page
    rest_may_come = threading.Event()

    class HoldingBackHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.split("?")[0] != "/" + CH01:
                return super().do_GET()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(html[:cut])
            self.wfile.flush()
            rest_may_come.wait(timeout=30)   # bounded: the server never waits for ever
            self.wfile.write(html[cut:])

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(HoldingBackHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        watched = WatchedPage(context, f"http://127.0.0.1:{httpd.server_address[1]}/")
        page = watched.page
        page.goto(watched.base_url + CH01, wait_until="commit")
        quiz, q, right, wrong = _first_question()
        qid = _qid(q)
        page.locator(f"#{qid}-{right['id']}").check(timeout=15000)
        page.locator(f"#{qid}-check").click()
        assert page.locator(f"#{qid}-result").inner_text().startswith("Correct.")
        assert page.evaluate("document.readyState") == "loading", "the rest of the page was not held back"
        assert page.locator(".po-widget").count() == len(views), "every widget above the cut is shown"
        rest_may_come.set()
        page.wait_for_load_state("load")
        assert page.locator(".po-widget").count() == len(views)
        assert page.locator(f"#{qid}-result").inner_text().startswith("Correct."), "the answer stays checked"
        watched.assert_clean()
    finally:
        rest_may_come.set()
        context.close()
        httpd.shutdown()
        httpd.server_close()
