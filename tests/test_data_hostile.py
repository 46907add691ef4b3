"""Hostile course data: files crafted (or broken) to stall the build, exhaust memory, slip past
the checks or break out of the pages. One test per class of attack; each gets the course's own
error (file, entry, fix), quickly and in a few lines, and leaves the file as it was. Then a
property test feeds the loaders arbitrary bytes and mangled course files."""
import copy
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import ipywidgets
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, WatchedPage
from peaceops import DataError, data
from serve import make_server
from test_data import course, error_for  # noqa: F401  (course is a fixture: a copy of data/)

QUIZ = "data/quizzes/ch01.yml"
ACTIVITY = "data/activities/ch01-asymmetric.yml"
LONGEST_MESSAGE = 700  # characters: a few lines, whatever the file holds
MARKUP = ["</SCRIPT >", "</script >", "<!--<script>", "</script\t", "<img src=x onerror=alert(1)>"]


def rejected(loader, path, *args) -> str:
    """The message a bad file gets: the course's error, naming the file, with a fix, short."""
    message = error_for(loader, path, *args)
    assert message.startswith(path.relative_to(course_root_of(path)).as_posix() + ": "), message[:300]
    assert ". Fix: " in message
    assert len(message) <= LONGEST_MESSAGE, f"{len(message)} characters: {message[:300]}"
    return message


def course_root_of(path: Path) -> Path:
    return next(p for p in path.parents if (p / "data").is_dir())


def set_first_prompt(path: Path, text: str) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["questions"][0]["prompt"] = text
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ------------------------------------------------------------------ markup in course text

def test_markup_in_a_text_is_refused(course):
    """Every course text is plain text (widgets set textContent; pages escape), so '<' is never
    markup: refusing it keeps '</script' and '<!--' away from the page's embedded widget state."""
    quiz = course / QUIZ
    original = quiz.read_text(encoding="utf-8")
    qid = yaml.safe_load(original)["questions"][0]["id"]
    for payload in MARKUP:
        quiz.write_text(original, encoding="utf-8")
        set_first_prompt(quiz, f"Which body decides? {payload} Choose one.")
        message = rejected(data.load_quiz, quiz, "ch01")
        assert message.startswith(f"data/quizzes/ch01.yml: question '{qid}' (questions[0]): field 'prompt' contains '<'")
    table = course / "data/timeline.csv"
    table.write_text("date,document,what_it_did,source\n2000-08,Brahimi <!--<script>,Reviewed,brahimi2000\n",
                     encoding="utf-8")
    assert rejected(data.load_table, table, "timeline", ["date", "document", "what_it_did"]).startswith(
        "data/timeline.csv: row 2: field 'document' contains '<'")


def _tiny_book(tmp_path: Path, prompt: str) -> Path:
    """A one-page Sphinx site with the course's chapter 1 quiz as the book embeds it (myst-nb,
    the course's extension, static-widgets.js), the first prompt replaced by `prompt`: a text that
    reached the widget state without passing the loaders."""
    from peaceops.widgets import Quiz
    quiz = Quiz("ch01")
    questions = json.loads(json.dumps(quiz.questions))
    questions[0]["prompt"] = prompt
    quiz.questions = questions
    state = ipywidgets.Widget.get_manager_state(widgets=[quiz])
    view = {"model_id": quiz.model_id, "version_major": 2, "version_minor": 0}
    notebook = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "widgets": {"application/vnd.jupyter.widget-state+json": state}},
        "cells": [
            {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Quiz\n"},
            {"cell_type": "code", "id": "quiz", "metadata": {}, "execution_count": 1, "source": "Quiz('ch01')",
             "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                          "data": {"application/vnd.jupyter.widget-view+json": view, "text/plain": repr(quiz)}}]},
            {"cell_type": "markdown", "id": "after", "metadata": {}, "source": "The end of the page.\n"},
        ],
    }
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (src / "conf.py").write_text(
        "extensions = ['myst_nb', 'peaceops.sphinxext']\n"
        "nb_execution_mode = 'off'\n"
        f"html_static_path = [{str(ROOT / '_assets')!r}]\n"
        "nb_ipywidgets_js = {'static-widgets.js': {'defer': 'defer'}}\n", encoding="utf-8")
    out = tmp_path / "html"
    build = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", str(src), str(out)],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stdout + build.stderr
    return out


def test_embedded_widget_state_cannot_end_its_script_element(tmp_path, browser):
    """Even a text that never passed the loaders cannot end the page's widget-state script or
    turn into markup: the quiz renders it as text, no handler fires, the rest of the page stays."""
    hostile = ('Which body decides? </SCRIPT ><img src=x onerror="window.__pwned=1"></script >'
               '<!--<script> & more')
    site = _tiny_book(tmp_path, hostile)
    html = (site / "index.html").read_text(encoding="utf-8")
    states = re.findall(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
    assert len(states) == 1 and not re.search("[<>&]", states[0]), "the state must hold no raw '<', '>' or '&'"
    httpd = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        watched = WatchedPage(context, f"http://127.0.0.1:{httpd.server_address[1]}/")
        page = watched.goto("index.html")
        page.wait_for_selector(".po-widget .po-question", timeout=15000)
        assert hostile in page.locator(".po-widget").first.inner_text(), "the text is shown exactly as written"
        assert page.evaluate("window.__pwned") is None, "an event handler from the data ran"
        assert page.locator("img[onerror]").count() == 0
        assert page.get_by_text("The end of the page.").is_visible(), "the rest of the page was swallowed"
        watched.assert_clean()
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()


def test_built_pages_escape_their_widget_state(site):
    """In the real build, every page's widget state holds no raw '<', '>' or '&' and still parses."""
    found = 0
    for page in site.rglob("*.html"):
        for state in re.findall(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                                page.read_text(encoding="utf-8"), re.S):
            assert not re.search("[<>&]", state), page
            assert json.loads(state)["state"], page
            found += 1
    assert found >= 10, "the chapters' widgets should be in the build"


# ------------------------------------------------------------------ YAML that expands or nests

def test_alias_bomb_is_refused_at_once(course):
    """Nine aliases of nine aliases...: a few lines that expand to millions of items; under a
    field of the wrong type the schema's message used to quote them all."""
    quiz = course / QUIZ
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 7)]
    quiz.write_text("chapter: ch01\nbomb:\n" + "".join(f"  {line}\n" for line in lines) + "questions: *l6\n",
                    encoding="utf-8")
    start = time.perf_counter()
    message = rejected(data.load_quiz, quiz, "ch01")
    assert time.perf_counter() - start < 5  # was minutes (bomb) or 80-90 s (50 MB)
    assert "uses a YAML anchor or alias ('l0') at line 3" in message


def test_deep_nesting_is_refused(course):
    quiz = course / QUIZ
    quiz.write_text("chapter: ch01\nquestions: " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    assert "nests more than 20 levels deep at line 2" in rejected(data.load_quiz, quiz, "ch01")


# ------------------------------------------------------------------ encodings

@pytest.mark.parametrize("encode, problem", [
    (lambda text: text.encode("utf-16"), "is UTF-16 or binary, not UTF-8 text"),
    (lambda text: text.encode("utf-8").replace(b"\n", "\n# Côte d'Ivoire\n".encode("latin-1"), 1),
     "is not UTF-8 text (byte 0xf4 on line 2)"),
    (lambda text: text.encode("utf-8")[:500] + bytes(range(256)), "is UTF-16 or binary"),
])
def test_files_that_are_not_utf8_are_refused(course, encode, problem):
    for relative, loader, args in [(QUIZ, data.load_quiz, ["ch01"]),
                                   ("data/timeline.csv", data.load_table, ["timeline", ["date"]])]:
        path = course / relative
        path.write_bytes(encode(path.read_text(encoding="utf-8")))
        message = rejected(loader, path, *args)
        assert problem in message and "Fix: save it as UTF-8" in message


def test_a_utf8_byte_order_mark_is_accepted(course):
    for relative in (QUIZ, "data/timeline.csv"):
        path = course / relative
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert data.load_quiz("ch01")["chapter"] == "ch01"
    assert list(data.load_table("timeline", ["date"]).columns)[0] == "date"


def test_a_misquoted_csv_row_is_refused(course):
    """A comma or quote left unquoted used to shift or swallow cells silently."""
    table = course / "data/timeline.csv"
    original = table.read_text(encoding="utf-8")
    last = original.count("\n") + 1
    table.write_text(original + "2001-01,Report, with a comma,Did things,brahimi2000\n", encoding="utf-8")
    assert f"row {last}: has 5 cells but the header names 4 columns" in rejected(data.load_table, table, "timeline", ["date"])
    table.write_text(original + '2001-01,"Report,Did things,brahimi2000\n', encoding="utf-8")
    assert "is not valid CSV (unexpected end of data)" in rejected(data.load_table, table, "timeline", ["date"])


# ------------------------------------------------------------------ silent replacement

def test_a_repeated_key_is_refused(course):
    """A second `questions:` used to replace the first list, silently."""
    quiz = course / QUIZ
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text + "questions:\n  - id: only-one\n", encoding="utf-8")
    last = text.count("\n") + 1
    assert f"has the key 'questions' twice in one mapping, at lines 2 and {last}" in rejected(data.load_quiz, quiz, "ch01")
    quiz.write_text(text.replace("chapter: ch01", "chapter: ch01\non: true", 1), encoding="utf-8")
    assert "has the key True at line 2, which is not text. Fix: put the key in quotes" in rejected(data.load_quiz, quiz, "ch01")


def _repeat_first_option(doc):
    options = next(d["options"] for d in doc["decisions"] if "options" in d)
    options.append(copy.deepcopy(options[0]))


@pytest.mark.parametrize("activity, what, change", [
    ("ch01-asymmetric", "scenario", lambda d: d["scenarios"].append(copy.deepcopy(d["scenarios"][0]))),
    ("ch01-asymmetric", "rule", lambda d: d["scenarios"][0]["rules"].append(copy.deepcopy(d["scenarios"][0]["rules"][0]))),
    ("ch02-assign-responsibilities", "option", _repeat_first_option),
])
def test_repeated_ids_are_refused(course, activity, what, change):
    path = course / f"data/activities/{activity}.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert f"field 'id' repeats an earlier {what}'s id. Fix: give every {what} its own id." in \
        rejected(data.load_activity, path, activity)


# ------------------------------------------------------------------ size

def test_oversized_files_and_texts_are_refused_with_the_limit(course):
    quiz = course / QUIZ
    with quiz.open("wb") as fh:  # 50 MB: used to take 80-90 s and give a 150 MB message
        fh.write(b"chapter: ch01\nquestions: '")
        for _ in range(50):
            fh.write(b"x" * 1_000_000)
        fh.write(b"'\n")
    start = time.perf_counter()
    message = rejected(data.load_quiz, quiz, "ch01")
    assert time.perf_counter() - start < 5  # was minutes (bomb) or 80-90 s (50 MB)
    assert f"is {quiz.stat().st_size:,} bytes, more than the 1,000,000 a course data file may have" in message
    quiz.write_text("chapter: ch01\nquestions: '" + "x" * 900_000 + "'\n", encoding="utf-8")
    assert "field 'questions' has 900,000 characters, more than the 5,000 a text may have" in \
        rejected(data.load_quiz, quiz, "ch01")
    quiz.write_text("chapter: ch01\nquestions: [" + "a, " * 300_000 + "]\n", encoding="utf-8")  # 900 kB of entries
    start = time.perf_counter()
    assert "has more than 25,000 entries (texts, numbers, lists and mappings); the limit was reached at line 2" in \
        rejected(data.load_quiz, quiz, "ch01")
    assert time.perf_counter() - start < 5  # about 1 s here; 300,000 entries took 15 s


def test_a_message_quotes_a_value_cut_short(course):
    """A value of the wrong type used to be quoted whole, however large."""
    quiz = course / QUIZ
    quiz.write_text("chapter: [" + ", ".join(["ch01"] * 20_000) + "]\nquestions: []\n", encoding="utf-8")
    assert "field 'chapter' has the value 'list', which is not allowed (['ch01', 'ch01'," in \
        rejected(data.load_quiz, quiz, "ch01")


# ------------------------------------------------------------------ fuzzing

TARGETS = [  # every data file the build reads, with the loader that reads it
    ("data/chapters.yml", data.load_chapters, ()),
    (QUIZ, data.load_quiz, ("ch01",)),
    (ACTIVITY, data.load_activity, ("ch01-asymmetric",)),
    ("data/exam.yml", data.load_exam, ()),
    ("data/spectrum.yml", data.load_spectrum, ()),
    ("data/timeline.csv", data.load_table, ("timeline", ["date", "document", "what_it_did"])),
    ("data/seminars.csv", data.load_table, ("seminars", ["order", "event", "place", "date", "partner"])),
]
ORIGINALS = {relative: (ROOT / relative).read_bytes() for relative, _, _ in TARGETS}
FRAGMENTS = [b"\n", b"  ", b"- ", b": ", b"&a ", b"*a", b"[", b"]", b"{", b"}", b"'", b'"', b",", b"<!--",
             b"</script >", b"on", b"1", b"2007-13-45", b"!!binary x", b"!!python/object:os.system", b"? ",
             b"\t", b"\xff", b"\x00", b"\xef\xbb\xbf", b"id: ", b"questions:", b"options:", b"correct: true",
             b"---\n", b"%YAML 1.1\n", b"<<: ", b"\\u0000", b"0x" + b"f" * 40, b"9" * 5000, b"\r", b"|\n"]


@st.composite
def mangled(draw, original: bytes) -> bytes:
    """A course file with a few random cuts and insertions: deep enough to reach the checks."""
    content = original
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(content)))
        if draw(st.booleans()):
            content = content[:at] + content[at + draw(st.integers(0, 200)):]
        else:
            insert = draw(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=8),
                                    st.text(max_size=8).map(str.encode)))
            content = content[:at] + insert * draw(st.integers(1, 3)) + content[at:]
    return content


@st.composite
def hostile_file(draw):
    relative, loader, args = draw(st.sampled_from(TARGETS))
    content = draw(st.one_of(
        mangled(ORIGINALS[relative]),
        st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join),
        st.binary(max_size=300),
    ))
    return relative, loader, args, content


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=hostile_file())
def test_loaders_survive_any_file(course, case):
    """Whatever a data file holds, a loader either loads it or raises the course's own error,
    short and naming the file: never another exception. (120 files, about 5 s.)"""
    relative, loader, args, content = case
    path = course / relative
    path.write_bytes(content)
    try:
        loader(*args)
    except DataError as exc:
        message = str(exc)
        assert message.startswith(("data/", "references.bib")), message[:200]
        assert len(message) <= LONGEST_MESSAGE, message[:300]
    finally:
        path.write_bytes(ORIGINALS[relative])
