"""Learning records for a class (xAPI), end to end on 127.0.0.1: the class edition in Chromium,
the course server passing its LRS path on (tools/serve.py), a real LRS (ralph, started by
tools/lrs.py as `make lrs` starts it), and the teacher's loader (peaceops/results.py load_lrs).
Also: the default book has no reporter and sends nothing; hostile LRS answers are data."""
from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from conftest import ROOT, WatchedPage
from peaceops import data, results
from serve import lrs_proxy, make_server  # tools/ is on the path (conftest.py)
import serve

CH01 = "book/ch01-what-integration-means.html"
EXAM = "book/exam.html"
CLASS_SITE = ROOT / "_build" / "class" / "_build" / "html"
USERS = {"LRS_USER": "class", "LRS_PASSWORD": "class-secret-1", "LRS_TEACHER_USER": "teacher",
         "LRS_TEACHER_PASSWORD": "teacher-secret-2"}
HOSTILE_NAME = "<img src=x onerror=\"document.title='pwned'\">Ann & <b>co</b>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    """ralph on a loopback port, started and stopped as `make lrs` runs it (tools/lrs.py)."""

    def __init__(self, folder):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "lrs.py"), "--port", str(self.port), "--data", str(self.folder)],
            env={**os.environ, **USERS}, stdout=subprocess.DEVNULL, stderr=open(self.folder.parent / "ralph.log", "ab"),
            start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.folder.parent / "ralph.log").read_text()[-3000:]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        pytest.fail("ralph did not start within 90 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # ralph, its reloader and its worker
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def statements(self) -> list[dict]:
        return results.lrs_statements(self.url, USERS["LRS_TEACHER_USER"], USERS["LRS_TEACHER_PASSWORD"])


@contextmanager
def serving(folder, lrs=None):
    server = make_server(folder, "127.0.0.1", 0, lrs=lrs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def class_site(site):
    """The class edition, built as `make class` builds it (reusing this run's execution cache)."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "class_edition.py"), "/xapi/"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    print(f"class edition built in {time.monotonic() - started:.0f} s")
    return CLASS_SITE


def _answer(page, q, option):
    qid = f"po-quiz-ch01-{q['id']}"
    page.locator(f"#{qid}-{option['id']}").check()
    page.locator(f"#{qid}-check").click()
    page.wait_for_selector(f"#{qid}-result:not(:empty)")


def _waiting(page) -> int:
    return int(page.locator("section.po-lrs").get_attribute("data-waiting"))


def _wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"not within {seconds} s: {what}")


def _only_lrs_load_errors(watched):
    """Chromium logs each refused send ("Failed to load resource: ... 503") as a console error;
    those are the point of the test. Anything else is a real error."""
    others = [e for e in watched.console_errors if not ("Failed to load resource" in e and "/xapi/statements" in e)]
    assert not others, others
    assert not watched.page_errors, watched.page_errors
    assert not watched.external_requests, watched.external_requests


@pytest.mark.xdist_group("lrs")
def test_records_wait_while_the_lrs_is_down_then_arrive_once_and_the_teacher_reads_them(
        class_site, browser, tmp_path, monkeypatch):
    ralph = Ralph(tmp_path / "lrs")
    proxy = lrs_proxy("/xapi/", ralph.url, USERS["LRS_USER"], USERS["LRS_PASSWORD"])
    quiz = data.load_quiz("ch01")["questions"]
    single = [q for q in quiz if q["type"] == "single"][:2]
    right = [next(o for o in q["options"] if o["correct"]) for q in single]
    wrong = next(o for o in single[0]["options"] if not o["correct"])
    try:
        with serving(class_site, proxy) as base:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            watched = WatchedPage(context, base)
            page = watched.goto(CH01)
            puts = []
            page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
            # The LRS is down. The learner answers before giving a name: kept, not sent.
            _answer(page, single[0], wrong)
            assert _waiting(page) == 1
            assert "waiting in this browser and will be sent once you give a name" in page.locator(".po-lrs-status").inner_text()
            page.locator("#po-lrs-name").fill(HOSTILE_NAME)
            page.locator(".po-lrs-form button[type=submit]").click()
            page.locator(f"#po-quiz-ch01-{single[0]['id']}-retry").click()
            _answer(page, single[0], right[0])
            _answer(page, single[1], right[1])
            # Finish the final assessment (every question answered with its first option).
            page = watched.goto(EXAM)
            page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
            page.locator(".po-exam fieldset.po-question").first.wait_for()
            page.evaluate("""() => { for (const fs of document.querySelectorAll('.po-exam fieldset.po-question')) {
                fs.querySelector('input').click(); } }""")
            page.locator("#po-exam-finish").click()
            _wait_until(lambda: _waiting(page) == 4, 10, "four records waiting")
            status = page.locator(".po-lrs-status").inner_text()
            assert "4 records are waiting in this browser" in status and "cannot be reached" in status, status
            # The name is shown as the learner typed it, as text: no markup ran.
            assert f"as “{HOSTILE_NAME}”" in status
            assert page.title() != "pwned" and page.locator(".po-lrs img").count() == 0
            queued = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/xapi/queue')"))
            assert len({s["id"] for s in queued}) == 4
            assert puts, "the reporter should have tried to send while the LRS was down"
            assert all("/xapi/statements?statementId=" in u and u.startswith(base) for u in puts)

            # The LRS comes up; the browser is told the network is back, as it would be.
            ralph.start()
            page.evaluate("window.dispatchEvent(new Event('online'))")
            _wait_until(lambda: _waiting(page) == 0, 45, "every record sent")
            assert "Every record has been sent." in page.locator(".po-lrs-status").inner_text()
            stored = ralph.statements()
            assert sorted(s["id"] for s in stored) == sorted(s["id"] for s in queued), "each record exactly once"
            verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in stored)
            assert verbs[:3] == ["answered"] * 3 and verbs[3] in ("failed", "passed"), verbs
            assert {s["actor"]["name"] for s in stored} == {HOSTILE_NAME}
            exam = next(s for s in stored if "verbs/answered" not in s["verb"]["id"])
            assert exam["result"]["score"]["max"] == 20 and exam["result"]["completion"] is True

            # A reload sends nothing again; a record sent twice (two tabs, a reload mid-send) is stored once.
            sent_before = len(puts)
            page.reload()
            page.locator("section.po-lrs").wait_for()
            page.wait_for_timeout(2000)
            assert len(puts) == sent_before and _waiting(page) == 0
            again = _put(base, queued[0])
            assert again == 204
            changed = {**queued[0], "result": {**queued[0]["result"], "success": not queued[0]["result"]["success"]}}
            assert _put(base, changed) == 409  # a different statement under a stored id is refused
            assert len(ralph.statements()) == 4
            _only_lrs_load_errors(watched)
            context.close()

        # The teacher's loader: the learner under the name they gave, latest answer per question,
        # read in pages of 3 statements, so that it follows the LRS's 'more' links.
        monkeypatch.setattr(results, "LRS_PAGE_SIZE", 3)
        answers, problems = results.load_lrs(ralph.url, USERS["LRS_TEACHER_USER"], USERS["LRS_TEACHER_PASSWORD"],
                                             anonymise=False)
        assert problems.empty, problems.to_dict("records")
        assert set(answers["learner"]) == {HOSTILE_NAME}
        assert sorted(answers["question"]) == sorted(q["id"] for q in single)
        assert answers["correct"].all(), "the latest answer to the first question was the right one"
        shown = results.table(answers, "lrs-answers").data
        assert "&lt;img src=x" in shown and "<img src=x" not in shown
        anonymous, _ = results.load_lrs(ralph.url, USERS["LRS_TEACHER_USER"], USERS["LRS_TEACHER_PASSWORD"])
        assert set(anonymous["learner"]) == {"Learner 1"}
    finally:
        ralph.stop()
    # no credential in any page of the class edition
    for html in class_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert USERS["LRS_PASSWORD"] not in text and "Authorization" not in text


@pytest.mark.xdist_group("lrs")
def test_an_answer_checked_before_the_reporter_has_loaded_is_recorded(class_site, browser, tmp_path):
    """A quiz can be answered while the page is still arriving (its widget renders as soon as it
    is parsed); the reporter, a deferred script, must still record that answer, once."""
    proxy = lrs_proxy("/xapi/", f"http://127.0.0.1:{free_port()}/", USERS["LRS_USER"], USERS["LRS_PASSWORD"])
    question = next(q for q in data.load_quiz("ch01")["questions"] if q["type"] == "single")
    held = []
    with serving(class_site, proxy) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.route("**/peaceops-xapi.js*", lambda route: held.append(route))  # held back until released
        try:
            page = context.new_page()
            page.goto(base + CH01, wait_until="commit")
            _wait_until(lambda: page.locator(f"#po-quiz-ch01-{question['id']}-check").count() == 1 and held, 30,
                        "the quiz shown while the reporter is still held back")
            assert page.locator("section.po-lrs").count() == 0, "the reporter ran before the answer"
            _answer(page, question, question["options"][0])
            held[0].continue_()
            page.locator("section.po-lrs").wait_for()
            _wait_until(lambda: _waiting(page) == 1, 10, "the early answer waiting to be sent")
            queued = json.loads(page.evaluate("localStorage.getItem('peaceops/v1/xapi/queue')"))
            assert [s["object"]["id"].rsplit("/", 1)[-1] for s in queued] == [question["id"]], queued
        finally:
            context.close()


def _put(base, statement) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/")), timeout=15)
    try:
        conn.request("PUT", f"/xapi/statements?statementId={statement['id']}", body=json.dumps(statement),
                     headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_default_book_has_no_reporter_and_sends_no_record(site, watched):
    """Off by default: no page of the default book holds or loads the reporter, and answering a
    quiz there sends nothing and stores nothing for a record store."""
    assert not (site / "_static" / "peaceops-xapi.js").exists()
    mentions = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
                if "peaceops-xapi" in (text := p.read_text(encoding="utf-8")) or "data-lrs" in text]
    assert not mentions, mentions
    page = watched.goto(CH01)
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    q = next(q for q in data.load_quiz("ch01")["questions"] if q["type"] == "single")
    _answer(page, q, q["options"][0])
    page.wait_for_timeout(1500)
    assert not [r for r in requests if r[0] != "GET" or "xapi" in r[1].lower()], requests
    assert page.locator(".po-lrs").count() == 0
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.includes('xapi'))") == []
    watched.assert_clean()


# --- Hostile answers, with a stand-in LRS on loopback ---------------------------------------------

class Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of server.script."""

    def do_ANY(self):
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))
        if self.command == "PUT":
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, headers, body = self.server.script.pop(0) if self.server.script else (404, {}, b"")
        if status == "hang":
            time.sleep(headers)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_ANY

    def log_message(self, *args):
        pass


@contextmanager
def scripted(*script):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.script, server.seen, server.daemon_threads = list(script), [], True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    finally:
        server.shutdown()
        server.server_close()


def _page(statements, more=None) -> bytes:
    return json.dumps({"statements": statements, **({"more": more} if more else {})}).encode()


def _answered(sid, name, chapter, qid, response, when="2026-12-01T10:00:00Z"):
    return {"id": sid, "actor": {"name": name, "account": {"homePage": "http://x/", "name": sid}},
            "verb": {"id": results.ANSWERED}, "object": {"id": f"http://127.0.0.1:1/quiz/{chapter}/{qid}"},
            "result": {"response": response}, "timestamp": when}


def test_teachers_loader_treats_what_the_lrs_sends_as_data():
    q = next(q for q in data.load_quiz("ch01")["questions"] if q["type"] == "single")
    right = next(o["id"] for o in q["options"] if o["correct"])
    good = [_answered("a1", "Bea", "ch01", q["id"], "zz", "2026-12-01T09:00:00Z"),
            _answered("a2", "Bea", "ch01", q["id"], right, "2026-12-01T10:00:00Z"),   # latest counts
            _answered("a2", "Bea", "ch01", q["id"], right, "2026-12-01T10:00:00Z")]   # the same id twice: once
    hostile = [_answered("h1", HOSTILE_NAME, "ch01", "<script>alert(1)</script>", "a"),
               _answered("h2", "Cy", "ch01", q["id"], "<b>x</b>"),
               {"id": "h3", "verb": {"id": results.ANSWERED}, "object": {"id": "javascript:alert(1)"}},
               "not a statement"]
    with scripted((200, {}, _page(good, more="/xAPI/statements?page=2")), (200, {}, _page(hostile))) as (lrs, url):
        answers, problems = results.load_lrs(url, "t", "p", anonymise=False)
        assert all(auth == "Basic " + base64.b64encode(b"t:p").decode() for _, _, auth in lrs.seen)
        assert [path for _, path, _ in lrs.seen] == ["/xAPI/statements?limit=100", "/xAPI/statements?page=2"]
    assert answers[["learner", "question", "correct"]].values.tolist() == [["Bea", q["id"], True]]
    text = " ".join(problems["file"]) + " " + " ".join(problems["problem"])
    assert len(problems) == 4 and "not an xAPI statement" in text and "not a quiz question" in text
    shown = results.table(problems, "lrs-problems").data
    assert "<script>alert" not in shown and "<img src" not in shown and "&lt;" in shown

    for script, message in [
        ([(200, {}, b"<html>not json</html>")], "not a page of statements"),
        ([(200, {}, _page([], more=None)[:-1])], "not a page of statements"),
        ([(200, {}, json.dumps({"statements": {}}).encode())], "no 'statements' list"),
        ([(401, {"WWW-Authenticate": "Basic"}, b"")], "refused the teacher's credentials"),
        ([(500, {}, b"oops")], "answered 500"),
        ([(200, {}, _page(good, more="http://evil.example/steal"))], "another site"),
    ]:
        with scripted(*script) as (lrs, url):
            with pytest.raises(results.LrsError, match=message):
                results.load_lrs(url, "t", "p")
            assert len(lrs.seen) == 1, "nothing followed to another site"
    with scripted(*[(200, {}, _page(good, more="/xAPI/statements?same"))] * 5) as (lrs, url):
        assert len(results.lrs_statements(url, "t", "p")) == 2  # a 'more' loop ends
        assert len(lrs.seen) <= 3
    with pytest.raises(results.LrsError, match="cannot be reached"):
        results.load_lrs(f"http://127.0.0.1:{free_port()}/xAPI/", "t", "p")
    with pytest.raises(results.LrsError, match="No LRS settings"):
        results.load_lrs("", "", "")


def test_course_server_passes_only_single_statements_on_and_never_the_lrs_answer(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<!doctype html><title>Course</title>", encoding="utf-8")
    sid = "3f1c8b2a-1d2e-4f5a-9b6c-7d8e9f0a1b2c"
    monkeypatch.setattr(serve, "LRS_TIMEOUT", 1)
    with scripted((204, {}, b""), (401, {"WWW-Authenticate": "Basic realm=lrs"}, b"<h1>login</h1>"),
                  (422, {}, b"<script>x</script>"), ("hang", 3, b"")) as (lrs, url):
        with serving(tmp_path, lrs_proxy("/xapi/", url, "class", "pw")) as base:
            port = int(base.rsplit(":", 1)[1].strip("/"))

            def ask(method, path, body=b"{}", headers=None):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    conn.request(method, path, body=body if method == "PUT" else None, headers=headers or {})
                    r = conn.getresponse()
                    return r.status, dict(r.getheaders()), r.read()
                finally:
                    conn.close()
            ok = f"/xapi/statements?statementId={sid}"
            assert ask("PUT", ok)[0] == 204
            assert lrs.seen[-1] == ("PUT", f"/xAPI/statements?statementId={sid}",
                                    "Basic " + base64.b64encode(b"class:pw").decode())
            status, headers, body = ask("PUT", ok)
            assert status == 502 and "WWW-Authenticate" not in headers and b"login" not in body
            status, _, body = ask("PUT", ok)
            assert status == 400 and b"<script>" not in body
            assert ask("PUT", ok)[0] == 504            # the LRS does not answer in time
            seen = len(lrs.seen)
            assert ask("GET", "/xapi/statements")[0] == 405      # the class's records are not readable here
            assert ask("PUT", "/xapi/statements?statementId=../../x")[0] == 404
            assert ask("PUT", f"/xapi/statements?statementId={sid}&x=1")[0] == 404
            assert ask("PUT", "/xapi/activities/state")[0] == 404
            assert ask("PUT", ok, body=b"x" * (serve.LRS_MAX_BODY + 1))[0] == 413
            assert len(lrs.seen) == seen, "refused requests never reach the LRS"
            assert ask("PUT", "/index.html")[0] == 501
    with serving(tmp_path, lrs_proxy("/xapi/", f"http://127.0.0.1:{free_port()}/xAPI/", "c", "p")) as base:
        conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/")), timeout=10)
        conn.request("PUT", f"/xapi/statements?statementId={sid}", body=b"{}")
        assert conn.getresponse().status == 503   # the LRS is down
        conn.close()
    for bad in [("xapi", "http://127.0.0.1:1/"), ("/xapi/", "http://lrs.example/xAPI/"),
                ("/xapi/", "https://127.0.0.1/"), ("//evil/", "http://127.0.0.1:1/"), ("/", "http://127.0.0.1:1/"),
                ("/x/../", "http://127.0.0.1:1/")]:
        with pytest.raises(ValueError, match="Fix:"):
            lrs_proxy(*bad, "c", "p")
    with pytest.raises(ValueError, match="LRS_USER and LRS_PASSWORD"):
        lrs_proxy("/xapi/", "http://127.0.0.1:1/", "", "")


@pytest.mark.xdist_group("lrs")
def test_class_panel_is_accessible_and_says_when_a_record_is_refused_or_the_queue_is_full(class_site, browser):
    """The records panel passes axe-core (light and dark, before and after a name is given); a
    statement the LRS refuses is set aside, not retried for ever; a full queue says so and keeps
    what waits."""
    import uuid
    from test_pages import _axe_violations, _report
    q = [q for q in data.load_quiz("ch01")["questions"] if q["type"] == "single"][:2]
    with scripted((422, {}, b'{"detail": "bad"}')) as (lrs, url), serving(class_site, lrs_proxy("/xapi/", url, "c", "p")) as base:
        context = browser.new_context(viewport={"width": 375, "height": 800})
        watched = WatchedPage(context, base)
        page = watched.goto(CH01)
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        assert (v := _axe_violations(page)) == [], _report(v, "light")
        page.locator("#po-lrs-name").fill("Bea")
        page.locator("#po-lrs-name").press("Enter")
        assert page.locator(".po-lrs-status").inner_text().startswith("Recording for your class as “Bea”.")
        assert page.evaluate("document.activeElement.textContent") == "Change name"
        _answer(page, q[0], q[0]["options"][0])
        _wait_until(lambda: page.evaluate("JSON.parse(localStorage.getItem('peaceops/v1/xapi/refused') || '[]').length") == 1,
                    15, "the refused statement set aside")
        assert _waiting(page) == 0
        assert "refused a record as malformed; it is kept aside" in page.locator(".po-lrs").inner_text()
        # 500 records already wait (the LRS has been unreachable for a long time): a new answer says so
        waiting = [{"id": str(uuid.uuid4()), "verb": {"id": results.ANSWERED}, "object": {"id": "x"}} for _ in range(500)]
        page.evaluate("(q) => localStorage.setItem('peaceops/v1/xapi/queue', q)", json.dumps(waiting))
        page.reload()
        page.locator("section.po-lrs").wait_for()
        _answer(page, q[1], q[1]["options"][0])
        notice = page.locator(".po-lrs-full")
        notice.wait_for(state="visible", timeout=5000)
        assert notice.get_attribute("role") == "alert" and "is full (500)" in notice.inner_text()
        assert _waiting(page) == 500
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
        page.locator(".po-lrs-details > summary").click()
        assert (v := _axe_violations(page)) == [], _report(v, "dark")
        page.screenshot(path=str(ROOT / "_build" / "class-panel-375-dark.png"))
        _only_lrs_load_errors(watched)
        context.close()
