"""Hostile results files against the teacher's side (peaceops.results; issue 9). Whatever a
learner's file holds, the class still loads, the file is listed with a short reason naming the
entry and the fix, and nothing from it is run as markup: not in the notebook's HTML, not in a
browser, not in the built class-results page. One test per class of attack."""
from __future__ import annotations

import html
import json
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from peaceops import results

QUESTIONS = results._questions()  # the course's question bank, loaded once (about 0.5 s)
CHAPTERS = sorted({q["chapter"] for q in QUESTIONS.values()})
FIRST = next(iter(QUESTIONS.values()))  # a single-choice question of chapter 1
MULTIPLE = next(q for q in QUESTIONS.values() if q["type"] == "multiple")
# Payloads that would show themselves if run: they set document.title or window.pwned.
IMG = "<img src=x onerror=\"window.pwned=1;document.title='pwned'\">"
SCRIPT = "<script>window.pwned=2;document.title='pwned'</script>"
RAW_MARKUP = re.compile(r"<\s*/?\s*(script|img|svg|iframe)\b", re.IGNORECASE)


def right(q: dict) -> list[str]:
    return [o["id"] for o in q["options"] if o["correct"]]


def course_file(version: int = 2, learner: str | None = "Ada", exported: str = "2026-11-22T10:00:00.000Z",
                answers: dict | None = None) -> dict:
    """A results file as progress.js writes it."""
    answers = {FIRST["id"]: right(FIRST)} if answers is None else answers
    doc = {"format": "peaceops-results", "version": version, "exported": exported, "learner": learner,
           "quizzes": {FIRST["chapter"]: {"answers": answers, "updated": exported}}}
    if version == 2:
        doc |= {"exam": {"seed": 7, "answers": {}, "finished": False}, "saved": {"seed": 7, "spectrum": {"stage": 2}}}
    return doc


def write(path: Path, doc) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def assert_short_plain(reason) -> None:
    """A reason is text a teacher can read: short, with nothing that hides or reorders text."""
    text = str(reason)
    assert isinstance(reason, results.Reason) and reason.problem and reason.fix, reason
    assert len(text) <= 400, f"reason too long ({len(text)} characters): {text[:200]}…"
    hidden = [c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")
              or (unicodedata.category(c) == "Cf" and c not in "\u200c\u200d")]
    assert not hidden, f"reason holds control characters {hidden!r}: {text!r}"


def hostile_folder(folder: Path) -> Path:
    """The notebook's example folder plus a learner whose name and file name are markup."""
    results.write_example_folder(folder, learners=3, hostile=True)
    write(folder / "named.json", course_file(learner=IMG))
    write(folder / "question.json", course_file(answers={SCRIPT: ["a"]}))
    write(folder / "option.json", course_file(answers={FIRST["id"]: [IMG]}))
    return folder


def all_tables(folder: Path) -> str:
    """Every table the class-results notebook shows, and the raw answers, as one HTML string."""
    answers, problems = results.load_folder(folder, anonymise=False)
    mastery = results.objective_mastery(answers)
    mastery.loc[0, "text"] = SCRIPT  # objective texts come from data files: escaped just the same
    frames = {"problems": problems, "questions": results.question_summary(answers), "mastery": mastery,
              "answers": answers, "labels": problems.rename(columns={"file": IMG})}
    return "\n".join(results.table(f, name, percent=()).data for name, f in frames.items())


# ------------------------------------------------------------------ markup is shown, never run

def test_tables_escape_every_learner_controlled_string(tmp_path):
    page = all_tables(hostile_folder(tmp_path / "class"))
    assert not RAW_MARKUP.search(page), f"raw markup in the tables: {RAW_MARKUP.search(page).group(0)}"
    text = html.unescape(page)
    for shown in (IMG, SCRIPT, "<img src=x onerror=\"document.title='pwned'\">.json"):
        assert shown in text, f"{shown} should be shown as text"


def test_tables_run_no_script_in_a_browser(tmp_path, browser):
    page_html = all_tables(hostile_folder(tmp_path / "class"))
    context = browser.new_context()
    try:
        context.route("**/*", lambda route: route.abort())  # nothing leaves the page
        page = context.new_page()
        page.set_content(f"<!doctype html><title>class results</title><body>{page_html}</body>")
        page.wait_for_load_state("load")
        assert page.title() == "class results"
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.images.length + document.scripts.length") == 0
        body = page.inner_text("body")
        assert IMG in body and SCRIPT in body
    finally:
        context.close()


def test_built_class_results_page_shows_hostile_files_as_text(make_page):
    watched = make_page()
    page = watched.goto("notebooks/class-results.html")
    tables = page.locator("table")
    assert "pwned" not in page.title() and page.evaluate("window.pwned") is None
    assert page.locator("table img, table script, table svg").count() == 0
    text = "\n".join(tables.all_inner_texts())
    for shown in ("<script>document.title='pwned'</script>", "<img src=x onerror=\"document.title='pwned'\">.json",
                  "a link to another file", "nested far deeper", "larger than 10 MB"):
        assert shown in text, f"the class-results page should show {shown!r} as text"
    watched.assert_clean()


# ------------------------------------------------------------------ only what the course writes

def test_version_1_and_version_2_files_are_read(tmp_path):
    v1 = course_file(version=1, learner=None)
    for doc in (v1, course_file(version=2), {k: v for k, v in course_file(version=2).items() if k != "exam"}):
        got, reason = results.check_file(write(tmp_path / "f.json", doc), QUESTIONS)
        assert reason is None and got == doc


def test_what_the_course_cannot_write_is_refused_with_a_short_reason(tmp_path):
    long = SCRIPT * 400
    other_chapter = next(q for q in QUESTIONS.values() if q["chapter"] != FIRST["chapter"])
    multi_answers = {MULTIPLE["id"]: right(MULTIPLE) * 2}
    cases = {  # file contents -> what the reason must say
        json.dumps(course_file(answers={long: ["a"]})): "which is not a question of this course",
        json.dumps(course_file(answers={"ch01\u202e-q01\x00": ["a"]})): "which is not a question of this course",
        json.dumps(course_file(answers={other_chapter["id"]: right(other_chapter)})): "not a question of this chapter",
        json.dumps(course_file(answers={FIRST["id"]: [long]})): "which is not one of its options",
        json.dumps(course_file(answers={FIRST["id"]: [o["id"] for o in FIRST["options"]]})): "chooses 4 options",
        json.dumps(course_file(answers={FIRST["id"]: []})): "is not a list of option ids",
        json.dumps({**course_file(), "quizzes": {MULTIPLE["chapter"]: {"answers": multi_answers}}}): "options",
        json.dumps({**course_file(), "quizzes": {long: {"answers": {}}}}): "not a chapter of this course",
        json.dumps(course_file(learner=long)): f"'learner' is {len(long)} characters long",
        json.dumps({**course_file(), "learner": {"name": long}}): "'learner' is an object",
        json.dumps({**course_file(), "learner": 7}): "'learner' is the number 7",
        json.dumps({**course_file(), "version": True}): "'version' is true",
        json.dumps({**course_file(), "version": "1"}): "'version' is the text '1'",
        json.dumps({**course_file(), "version": 1.0}): "'version' is the number 1.0",
        json.dumps({**course_file(), "version": 3}): "'version' is the number 3",
        json.dumps(course_file()).replace('"version": 2', '"version": NaN'): "contains NaN",
        json.dumps({**course_file(), "exported": long}): "'exported' is the text",
        json.dumps({**course_file(), "exported": None}): "'exported' is null",
        json.dumps({k: v for k, v in course_file(version=2).items() if k != "saved"}): "no 'saved' section",
        json.dumps({**course_file(version=2), "saved": [long]}): "'saved' is a list",
        json.dumps({**course_file(version=1), "exam": long}): "'exam' is the text",
        json.dumps(course_file(version=1)).replace('"version": 1', '"version": 1, "version": 1'): "appears twice",
    }
    for text, expected in cases.items():
        doc, reason = results.check_file(write(tmp_path / "f.json", text), QUESTIONS)
        assert doc is None and reason is not None, f"accepted: {text[:120]}"
        assert expected in reason.problem, f"{reason} (expected {expected!r})"
        assert_short_plain(reason)
    assert "\\u202e" in results.check_file(write(tmp_path / "f.json", list(cases)[1]), QUESTIONS)[1].problem


# ------------------------------------------------------------------ one bad file never stops the class

def test_one_bad_file_never_stops_the_class(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder / "ada.json", course_file(version=1, learner="Ada"))
    (folder / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(course_file(version=1, learner="Bea")).encode())
    write(folder / "nested.json", "[" * 200_000 + "]" * 200_000)
    with open(folder / "huge.json", "wb") as f:
        f.truncate(100 * 2**20)  # 100 MB, sparse: only its size is real
    (folder / "junk.json").write_bytes(os.urandom(4096))
    write(tmp_path / "outside.json", course_file(version=1, learner="Cem"))
    (folder / "link.json").symlink_to(tmp_path / "outside.json")
    (folder / "folder.json").mkdir()
    os.mkfifo(folder / "pipe.json")  # reading it would wait forever
    before = {p.name: p.lstat().st_mtime_ns for p in folder.iterdir()}
    started = time.monotonic()
    answers, problems = results.load_folder(folder, anonymise=False)
    assert time.monotonic() - started < 10
    assert sorted(answers["learner"].unique()) == ["Ada", "Bea"], "the link is not followed"
    reasons = dict(zip(problems["file"], problems["problem"]))
    expected = {"nested.json": "nested far deeper", "huge.json": "larger than 10 MB, so it is not read",
                "junk.json": "not a text file", "link.json": "a link to another file, which is not followed",
                "folder.json": "a folder, not a file", "pipe.json": "not an ordinary file"}
    assert set(reasons) == set(expected)
    for name, words in expected.items():
        assert words in reasons[name], reasons[name]
    assert all(problems["fix"].str.len() > 0)
    assert {p.name: p.lstat().st_mtime_ns for p in folder.iterdir()} == before, "files are only read"


def _problems_as_an_ordinary_user(folder: Path) -> dict[str, str]:
    """load_folder's problems, run as a user that file permissions apply to. Root reads every
    file, so as root the check runs in a forked child that has given up root."""
    if os.geteuid() != 0:
        _, problems = results.load_folder(folder)
        return dict(zip(problems["file"], problems["problem"]))
    results.load_folder(folder)  # import everything first: the child cannot read root's files
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        try:
            os.setgid(65534)
            os.setuid(65534)
            _, problems = results.load_folder(folder)
            os.write(write_end, json.dumps(dict(zip(problems["file"], problems["problem"]))).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + 30
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("loading the folder as an ordinary user did not finish in 30 s")
        time.sleep(0.05)
    with os.fdopen(read_end, "rb") as pipe:
        return json.loads(pipe.read() or b"null")


def test_an_unreadable_file_is_listed():
    folder = Path(tempfile.mkdtemp(prefix="peaceops-class-"))
    try:
        folder.chmod(0o755)
        write(folder / "ada.json", course_file(learner="Ada")).chmod(0o644)
        write(folder / "locked.json", course_file(learner="Bea")).chmod(0o000)
        reasons = _problems_as_an_ordinary_user(folder)
        assert reasons == {"locked.json": "cannot be read: you have no permission to read it"}
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def test_a_learner_is_counted_once_the_latest_download_kept(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    early = course_file(version=1, learner="Ada", exported="2026-11-20T08:00:00.000Z", answers={})
    late = course_file(version=1, learner="Ada", exported="2026-11-22T10:00:00.000Z")
    write(folder / "a-later.json", late)
    write(folder / "b-earlier.json", early)
    (folder / "c-copy.json").write_bytes((folder / "a-later.json").read_bytes())
    write(folder / "d-anonymous.json", course_file(version=1, learner=None))
    write(folder / "e-anonymous.json", course_file(version=1, learner=None, answers={FIRST["id"]: ["b"]}))
    answers, problems = results.load_folder(folder, anonymise=False)
    assert sorted(answers["learner"].unique()) == ["(no name) d-anonymous.json", "(no name) e-anonymous.json", "Ada"]
    assert len(answers[answers["learner"] == "Ada"]) == 1, "Ada's latest download, with one answer, is used"
    reasons = dict(zip(problems["file"], problems["problem"]))
    assert set(reasons) == {"b-earlier.json", "c-copy.json"}
    assert reasons["b-earlier.json"].startswith("an earlier download (2026-11-20 08:00:00 UTC)")
    assert "'a-later.json'" in reasons["b-earlier.json"]
    assert reasons["c-copy.json"] == "the same file as 'a-later.json'"
    assert "Ada" not in problems.to_string(), "reasons name files, not learners (they may be anonymised)"


# ------------------------------------------------------------------ fuzzing (fixed budget)

json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=10)
option_ids = st.sampled_from(sorted({o["id"] for q in QUESTIONS.values() for o in q["options"]})) | st.text(max_size=12)


def mostly(good, bad):
    """Usually what the course writes, sometimes anything: so that fuzzing reaches every check."""
    return st.integers(0, 3).flatmap(lambda n: good if n else bad)


@st.composite
def quiz_sections(draw):
    quizzes: dict = {}
    for qid in draw(st.lists(st.sampled_from(sorted(QUESTIONS)), max_size=5, unique=True)):
        q = QUESTIONS[qid]
        ids = [o["id"] for o in q["options"]]
        chapter = draw(mostly(st.just(q["chapter"]), st.sampled_from(CHAPTERS) | st.text(max_size=8)))
        key = draw(mostly(st.just(qid), st.text(max_size=12)))
        chosen = draw(mostly(st.lists(st.sampled_from(ids), min_size=1, unique=True,
                                      max_size=len(ids) if q["type"] == "multiple" else 1),
                             st.lists(option_ids, max_size=4) | json_values))
        quiz = quizzes.setdefault(chapter, {"answers": {}})
        quiz["answers"][key] = chosen
        if draw(st.booleans()):  # first answers and attempt counts, as quiz.js saves them since December 2026
            quiz.setdefault("first", {})[key] = draw(mostly(st.just(chosen), st.lists(option_ids, max_size=3) | json_values))
            quiz.setdefault("attempts", {})[key] = draw(mostly(st.integers(1, 20), json_values))
    return draw(mostly(st.just(quizzes), json_values | st.dictionaries(st.text(max_size=8), json_values, max_size=2)))


documents = st.fixed_dictionaries(
    {"format": mostly(st.just("peaceops-results"), json_values),
     "version": mostly(st.sampled_from([1, 2]), st.sampled_from([True, "1", 3, 1.0, float("nan")]) | json_values),
     "exported": mostly(st.datetimes().map(lambda d: d.isoformat() + "Z"), json_values),
     "learner": mostly(st.none() | st.text(max_size=120), json_values),
     "quizzes": quiz_sections()},
    optional={"saved": mostly(st.dictionaries(st.text(max_size=8), json_values, max_size=3), json_values),
              "exam": mostly(st.dictionaries(st.text(max_size=8), json_values, max_size=3), json_values)})


def assert_only_what_the_course_writes(doc: dict) -> None:
    assert type(doc["version"]) is int and doc["version"] in (1, 2)
    assert doc["learner"] is None or (isinstance(doc["learner"], str) and len(doc["learner"]) <= 100)
    for chapter, quiz in doc["quizzes"].items():
        for qid, chosen in quiz["answers"].items():
            options = {o["id"] for o in QUESTIONS[qid]["options"]}
            assert QUESTIONS[qid]["chapter"] == chapter and chosen and set(chosen) <= options
        for qid, first in quiz.get("first", {}).items():
            assert QUESTIONS[qid]["chapter"] == chapter and first and set(first) <= {o["id"] for o in QUESTIONS[qid]["options"]}
        for qid, n in quiz.get("attempts", {}).items():
            assert QUESTIONS[qid]["chapter"] == chapter and type(n) is int and n >= 1


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents, bom=st.booleans())
def test_fuzzed_documents_are_used_only_if_the_course_could_have_written_them(doc, bom):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzzed.json"
        path.write_bytes(b"\xef\xbb\xbf" * bom + json.dumps(doc).encode("utf-8", "surrogatepass"))
        got, reason = results.check_file(path, QUESTIONS)
    assert (got is None) != (reason is None)
    if reason is None:
        assert_only_what_the_course_writes(got)
    else:
        assert_short_plain(reason)


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.binary(max_size=300) | documents.map(lambda d: json.dumps(d).encode("utf-8", "surrogatepass")),
                      min_size=1, max_size=4))
def test_fuzzed_folders_always_load(files):
    """Every file is either used or listed with the reason check_file gives (or as a repeat)."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(results, "_questions", lambda: QUESTIONS):
        for n, content in enumerate(files):
            (Path(tmp) / f"{n}.json").write_bytes(content)
        answers, problems = results.load_folder(tmp)
        listed = dict(zip(problems["file"], problems["problem"]))
        for n in range(len(files)):
            _, reason = results.check_file(Path(tmp) / f"{n}.json", QUESTIONS)
            if reason:
                assert listed[f"{n}.json"] == reason.problem
            elif f"{n}.json" in listed:
                assert listed[f"{n}.json"].startswith(("the same file as", "an earlier download", "the same learner"))
    assert answers["learner"].nunique() <= len(files) - len(listed)
