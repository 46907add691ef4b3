"""The class-results dashboard (make results), started for real: Voila on 127.0.0.1, a teacher
chooses learners' files in Chromium (several files, then a zip with hostile entries), reads the
summary and the tables, and downloads the Excel workbook, which opens with openpyxl. Axe-clean at
a laptop and a phone width; markup in uploaded names is shown as text, never run."""
import io
import json
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from peaceops import data
from test_app import _free_port, _wait_for_port
from test_pages import _axe_violations, _report
from test_results_class import class_with_retries

Q1 = data.load_quiz("ch01")["questions"][0]
PAYLOAD = "<img src=x onerror=\"window.pwned=1;document.title='pwned'\">"


# One worker runs both tests, so that one Voila serves them (a module fixture is per worker).
pytestmark = pytest.mark.xdist_group("dashboard")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The dashboard as `make results` runs it (without opening a browser), on a free port."""
    import class_results_app  # tools/ (on the path via conftest.py)
    import projector_app
    port = _free_port()
    log = (tmp_path_factory.mktemp("voila") / "voila.log").open("w")
    proc = subprocess.Popen(class_results_app.command(port, browser=False), env=projector_app.environment(),
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


# Voila runs the dashboard's notebook before it answers the first request: on 2 busy cores (the
# hub's tests beside it) that took over 90 s once in a full run, so the first load may take 180 s.
def _open(make_page, url, width):
    watched = make_page(width=width)
    page = watched.page
    page.goto(url, timeout=180000)
    page.get_by_role("button", name="Choose the learners' files").wait_for(timeout=180000)
    return watched, page


def _choose(page, files):
    """What a teacher does: press the button and pick files in the browser's file dialog."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose the learners' files").click()
    chooser.value.set_files(files)
    page.locator(".po-results-table").first.wait_for(timeout=60000)


def _assert_accessible(page):
    violations = _axe_violations(page)
    assert violations == [], _report(violations, "light")


def test_a_teacher_reads_the_class_and_downloads_excel(dashboard, make_page, tmp_path):
    watched, page = _open(make_page, dashboard, 1366)
    assert "No files chosen yet" in page.locator(".po-dashboard").inner_text()
    _assert_accessible(page)
    folder = class_with_retries(tmp_path / "class")
    _choose(page, sorted(str(p) for p in folder.iterdir()))
    summary = page.locator(".po-summary").inner_text()
    assert summary.startswith("4 learners' files read, 0 entries set aside.")
    assert "Share correct at the first try: 67% of 3 answers whose first try is known" in summary
    questions = page.get_by_role("region", name="Table: questions", exact=True).inner_text()
    assert " ".join(Q1["prompt"].split())[:60] in questions, "questions are named by their text"
    learners = page.get_by_role("region", name="Table: learners", exact=True)
    assert learners.locator("tr", has_text="Learner 3").inner_text().count("unknown") == 2, \
        "Cem's version-1 file: share correct and mean attempts unknown"
    exam = page.get_by_role("region", name="Table: exam", exact=True).inner_text()
    assert "Learner 1" in exam and "80%" in exam and "50%" in exam
    _assert_accessible(page)
    page.screenshot(path=str(tmp_path / "dashboard-1366.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download every table (Excel)").click()
    assert info.value.suggested_filename == "class-results.xlsx"
    info.value.save_as(tmp_path / "class-results.xlsx")
    book = load_workbook(tmp_path / "class-results.xlsx")
    assert book.sheetnames == ["problems", "questions", "learners", "objectives", "exam", "exam-class", "answers"]
    rows = list(book["exam"].iter_rows(values_only=True))
    assert rows[0][:5] == ("learner", "finished attempts", "best score", "latest score", "passed")
    assert rows[1][:5] == ("Learner 1", 3, 0.8, 0.5, True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Per question (CSV)").click()
    assert info.value.suggested_filename == "questions.csv"
    watched.assert_clean()


def test_hostile_uploads_are_listed_as_text_on_a_phone(dashboard, make_page, tmp_path):
    watched, page = _open(make_page, dashboard, 375)
    good = json.dumps({"format": "peaceops-results", "version": 2, "exported": "2026-11-30T10:00:00.000Z",
                       "learner": PAYLOAD, "quizzes": {"ch01": {"answers": {Q1["id"]: ["a"]}}}, "saved": {}})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"class/{PAYLOAD}.json", good)
        z.writestr("class/=SUM(1+1).json", "{}")
        z.writestr("bomb.json", b" " * (11 * 2**20))
        z.writestr("inner.zip", b"PK\x03\x04")
    (tmp_path / "class.zip").write_bytes(archive.getvalue())
    _choose(page, [str(tmp_path / "class.zip")])
    problems = page.get_by_role("region", name="Table: problems", exact=True).inner_text()
    for shown in ("class.zip/class/=SUM(1+1).json", "class.zip/bomb.json", "larger than 10 MB",
                  "an archive inside the archive"):
        assert shown in problems, shown
    assert page.locator(".po-summary").inner_text().startswith("1 learner's file read, 3 entries set aside.")
    assert page.evaluate("window.pwned") is None and "pwned" not in page.title()
    assert page.locator(".po-dashboard img, .po-dashboard script").count() == 0
    # The learner's name is never shown (anonymised); unticking shows it as text.
    page.get_by_label("Show learners as Learner 1").uncheck()
    page.get_by_role("region", name="Table: learners", exact=True).get_by_text(PAYLOAD).wait_for(timeout=30000)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1, "nothing wider than the phone"
    _assert_accessible(page)
    page.screenshot(path=str(tmp_path / "dashboard-375.png"), full_page=False)
    watched.assert_clean()
