"""Class results for teachers: read a folder of results files that learners downloaded from
"My progress", check each one, and summarise what the class understood with pandas.

    from peaceops import results
    answers, problems = results.load_folder("class-results/")   # bad files are listed, not fatal
    results.question_summary(answers)     # per question: share correct, most chosen wrong option
    results.objective_mastery(answers)    # per objective: share of learners for whom it is secure

Learners are anonymised by default ("Learner 1", "Learner 2", ... in file-name order); pass
anonymise=False to keep the names or pseudonyms they typed.

Everything in a results file was typed or edited by someone else, so it is data, never markup:
a file is used only if it is exactly what the course writes (known chapters, questions and
options, a short name, version 1 or 2), any value quoted in a reason is cut short and made
plain, and `table()` escapes every cell and label.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import random
import stat
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import data

FORMAT = "peaceops-results"
VERSIONS = (1, 2)  # what progress.js writes; version 2 adds `saved` (the learner's other saved work)
MAX_FILE_BYTES = 10 * 2**20  # a results file is a few kilobytes; browser storage holds about 5 MB
MAX_LEARNER_CHARS = 100
QUOTE_CHARS = 40  # longest value quoted in a reason
DOWNLOAD_AGAIN = "ask the learner to download it again from 'My progress', and not to edit it"


class Reason(NamedTuple):
    """Why a file is set aside: what is wrong (naming the entry) and what the teacher can do."""
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}. Fix: {self.fix}."


class _Unusable(Exception):
    def __init__(self, problem: str, fix: str = DOWNLOAD_AGAIN):
        super().__init__(problem)
        self.reason = Reason(problem, fix)


def plain(text: str, limit: int = QUOTE_CHARS) -> str:
    """Text from a file as short, printable plain text: cut to `limit` characters, with control,
    direction-changing and undecodable characters (as in a file name that is not UTF-8) written
    as escapes such as \\x00 or \\u202e, so that nothing shown can hide or reorder other text."""
    def visible(c: str) -> bool:
        category = unicodedata.category(c)
        return not (category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and c not in "\u200c\u200d"))
    shown = "".join(c if visible(c) else ascii(c)[1:-1] for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _describe(value) -> str:
    """A JSON value as a reason names it, never quoting more than a short piece of it."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"the number {plain(repr(value))}"
    if isinstance(value, str):
        return f"the text '{plain(value)}'"
    return "a list" if isinstance(value, list) else "an object"


def _read(path: Path) -> bytes:
    """The bytes of an ordinary file, refusing links, folders, devices and oversized files
    before reading anything."""
    try:
        info = path.lstat()
    except OSError as exc:
        raise _Unusable(f"cannot be read ({exc.strerror or type(exc).__name__})", "check the file and copy it into the folder again")
    if stat.S_ISLNK(info.st_mode):
        raise _Unusable("a link to another file, which is not followed",
                        "copy the learner's file itself into the folder in place of the link")
    if stat.S_ISDIR(info.st_mode):
        raise _Unusable("a folder, not a file", "move the results files it holds into the class folder itself")
    too_big = _Unusable(f"larger than {MAX_FILE_BYTES // 2**20} MB, so it is not read (a results file from this "
                        "course is a few kilobytes)", DOWNLOAD_AGAIN)
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
        raise too_big
    # No following links and no waiting on a pipe, even if the entry changed since lstat().
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise _Unusable("cannot be read: you have no permission to read it",
                        "make the file readable for your user (for example `chmod a+r` on it)")
    except OSError as exc:
        raise _Unusable(f"cannot be read ({exc.strerror or type(exc).__name__})", "check the file and copy it into the folder again")
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise _Unusable("not an ordinary file (a device, pipe or socket)", "remove it from the folder")
        content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise too_big
    return content


def _object_without_repeats(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        repeated = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise _Unusable(f"the key '{plain(repeated)}' appears twice in one object, which the course never writes")
    return obj


def _refuse_constant(name: str):
    raise _Unusable(f"contains {name}, which is not JSON and which the course never writes")


def _parse(content: bytes):
    try:
        text = content.decode("utf-8-sig")  # a byte-order mark, as some editors add, is fine
    except UnicodeDecodeError:
        raise _Unusable("not a text file (not UTF-8)", DOWNLOAD_AGAIN)
    try:
        return json.loads(text, object_pairs_hook=_object_without_repeats, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise _Unusable(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                        "the file is incomplete or was edited: " + DOWNLOAD_AGAIN)
    except RecursionError:
        raise _Unusable("not valid JSON for this course: nested far deeper than a results file", DOWNLOAD_AGAIN)
    except ValueError:  # e.g. a number of thousands of digits
        raise _Unusable("not valid JSON for this course: holds a number far too long", DOWNLOAD_AGAIN)


def _exported(value) -> datetime:
    """The download time the course writes (ISO 8601, as '2026-11-22T10:00:00.000Z'), in UTC."""
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        when = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise _Unusable(f"'exported' is {_describe(value)}; the course writes the date and time of the download "
                        "there, such as '2026-11-22T10:00:00.000Z'")
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _check(path: Path, questions: dict[str, dict]) -> tuple[dict, str]:
    """The file's contents and a digest of its bytes (to recognise copies), or _Unusable."""
    content = _read(path)
    doc = _parse(content)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _Unusable(f"not a results file from this course (its 'format' is not '{FORMAT}')",
                        "use the file downloaded from this course's 'My progress' page")
    version = doc.get("version")
    if type(version) is not int or version not in VERSIONS:  # not isinstance: `true` is an int in Python
        newer = type(version) is int and version > max(VERSIONS)
        raise _Unusable(f"'version' is {_describe(version)}; this course writes and reads the number 1 or 2",
                        "update the course to its latest edition" if newer else DOWNLOAD_AGAIN)
    learner = doc.get("learner")
    if learner is not None and not (isinstance(learner, str) and len(learner) <= MAX_LEARNER_CHARS):
        what = (f"{len(learner)} characters long ('{plain(learner)}')" if isinstance(learner, str)
                else _describe(learner))
        raise _Unusable(f"'learner' is {what}; the course writes a name or pseudonym of at most "
                        f"{MAX_LEARNER_CHARS} characters there, or null",
                        "ask the learner to download the file again from 'My progress' with a shorter name")
    for section, required in (("quizzes", True), ("exam", False), ("saved", version >= 2)):
        value = doc.get(section)
        if not isinstance(value, dict) and (required or value is not None):
            raise _Unusable(f"no '{section}' section" if value is None else f"'{section}' is {_describe(value)}, "
                            "not an object")
    chapters = {q["chapter"] for q in questions.values()}
    for chapter_id, quiz in doc["quizzes"].items():
        if chapter_id not in chapters:
            raise _Unusable(f"'quizzes' has '{plain(chapter_id)}', which is not a chapter of this course")
        answers = quiz.get("answers") if isinstance(quiz, dict) else None
        if not isinstance(answers, dict):
            raise _Unusable(f"quiz '{chapter_id}' has no 'answers'")
        for qid, chosen in answers.items():
            question = questions.get(qid)
            if question is None or question["chapter"] != chapter_id:
                raise _Unusable(f"quiz '{chapter_id}' answers '{plain(qid)}', which is not a question of this "
                                + ("course" if question is None else "chapter"),
                                "check that the learner used this edition of the course; if so, " + DOWNLOAD_AGAIN)
            if not isinstance(chosen, list) or not chosen or not all(isinstance(c, str) for c in chosen):
                raise _Unusable(f"the answer to '{qid}' is not a list of option ids")
            options = [o["id"] for o in question["options"]]
            unknown = next((c for c in chosen if c not in options), None)
            if unknown is not None:
                raise _Unusable(f"the answer to '{qid}' chooses '{plain(unknown)}', which is not one of its options "
                                f"({', '.join(options)})")
            if len(set(chosen)) != len(chosen) or (question["type"] != "multiple" and len(chosen) != 1):
                raise _Unusable(f"the answer to '{qid}' chooses {len(chosen)} options, which the course never "
                                f"writes for a question of type '{question['type']}'")
        revealed = quiz.get("revealed", [])
        if not isinstance(revealed, list) or not all(isinstance(r, str) and questions.get(r, {}).get("chapter") == chapter_id
                                                      for r in revealed):
            raise _Unusable(f"quiz '{chapter_id}' has a 'revealed' entry that is not a list of its question ids",
                            DOWNLOAD_AGAIN)
    _exported(doc.get("exported"))
    return doc, hashlib.sha256(content).hexdigest()


def check_file(path: Path, questions: dict[str, dict]) -> tuple[dict | None, Reason | None]:
    """(contents, None) for a usable results file, or (None, reason) for one that is not.
    Never raises for what a file holds; reads nothing larger than MAX_FILE_BYTES; follows no link."""
    try:
        return _check(Path(path), questions)[0], None
    except _Unusable as exc:
        return None, exc.reason


def _questions() -> dict[str, dict]:
    return {q["id"]: {**q, "chapter": c["id"]} for c in data.load_chapters()
            for q in data.load_quiz(c["id"])["questions"]}


def _utc(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _one_file_per_learner(usable: list[tuple[Path, dict, str]]) -> tuple[list[tuple[Path, dict]], list[dict]]:
    """Each learner counted once: of identical files the first (by name) is kept; of several
    downloads under one learner name, the latest ('exported'). The others are returned as problems."""
    kept, problems, first_with = [], [], {}
    for path, doc, digest in usable:
        if digest in first_with:
            problems.append({"file": path.name, "problem": f"the same file as '{plain(first_with[digest].name, 80)}'",
                             "fix": "nothing to do: it is counted once (you may delete the copy)"})
        else:
            first_with[digest] = path
            kept.append((path, doc))
    by_name: dict[str, list[tuple[datetime, str, Path]]] = {}
    for path, doc in kept:
        if isinstance(doc.get("learner"), str) and doc["learner"].strip():
            by_name.setdefault(doc["learner"].strip(), []).append((_exported(doc["exported"]), path.name, path))
    dropped = set()
    for downloads in by_name.values():
        when_latest, _, latest = max(downloads)
        for when, _, path in downloads:
            if path == latest:
                continue
            dropped.add(path)
            if when == when_latest:
                problem = (f"the same learner name and download time as '{plain(latest.name, 80)}', with other "
                           "answers; that file is used")
                fix = "check which file is the learner's own and remove the other"
            else:
                problem = (f"an earlier download ({_utc(when)}) under the same learner name as "
                           f"'{plain(latest.name, 80)}' ({_utc(when_latest)}), which is used instead")
                fix = ("nothing to do: only the latest download counts (if these are two learners with one name, "
                       "ask one of them to download again under another name)")
            problems.append({"file": path.name, "problem": problem, "fix": fix})
    return [(p, d) for p, d in kept if p not in dropped], problems


def load_folder(folder: str | Path, anonymise: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All answers in a folder of results files, one row per learner and question, and a table
    of the entries that were not used (file, problem, fix). A bad file never stops the rest;
    copies and earlier downloads of one learner are counted once. Files are only read, never
    changed; names starting with '.' (hidden files, Jupyter's checkpoints) are left out."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder. Fix: put the learners' results files in one folder "
                                "and pass its path.")
    questions = _questions()
    usable, problems = [], []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        try:
            doc, digest = _check(path, questions)
        except _Unusable as exc:
            problems.append({"file": path.name, **exc.reason._asdict()})
            continue
        usable.append((path, doc, digest))
    learners, repeats = _one_file_per_learner(usable)
    rows = []
    for number, (path, doc) in enumerate(learners, start=1):
        name = (doc.get("learner") or "").strip()
        learner = f"Learner {number}" if anonymise else plain(name, MAX_LEARNER_CHARS) or f"(no name) {plain(path.name, 80)}"
        for quiz in doc["quizzes"].values():
            revealed = set(quiz.get("revealed", []))
            for qid, chosen in quiz["answers"].items():
                q = questions[qid]
                rows.append({"learner": learner, "chapter": q["chapter"], "question": qid,
                             "objective": q["objective"], "chosen": ",".join(sorted(chosen)),
                             "correct": data.is_correct(q, chosen), "after seeing answers": qid in revealed})
    answers = pd.DataFrame(rows, columns=["learner", "chapter", "question", "objective", "chosen", "correct",
                                          "after seeing answers"])
    problems = sorted(problems + repeats, key=lambda p: p["file"])
    for p in problems:
        p["file"] = plain(p["file"], 80)
    return answers, pd.DataFrame(problems, columns=["file", "problem", "fix"])


def question_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Per question: its text, how many learners answered, the share correct, and the wrong
    answer chosen most, with its options' letters and texts as the learner read them."""
    questions = _questions()

    def most_chosen_wrong(group):
        wrong = Counter(group.loc[~group["correct"], "chosen"])
        if not wrong:
            return ""
        options = {o["id"]: o["text"] for o in questions[group.name[1]]["options"]}
        return "; ".join(f"{i}) {' '.join(options[i].split())}" for i in wrong.most_common(1)[0][0].split(","))
    grouped = answers.groupby(["chapter", "question"], sort=True)
    summary = pd.DataFrame({
        "answered": grouped.size(),
        "share correct": grouped["correct"].mean().round(2),
        "most chosen wrong option": grouped.apply(most_chosen_wrong, include_groups=False),
    }).reset_index()
    summary.insert(2, "prompt", [" ".join(questions[q]["prompt"].split()) for q in summary["question"]])
    return summary


def objective_mastery(answers: pd.DataFrame) -> pd.DataFrame:
    """Per objective: the share of learners who answered every question testing it correctly
    (of those who answered at least one), as on the learner's progress page: an answer given
    after the learner asked to see the answers does not count."""
    texts = data.objectives_table().set_index("objective")["text"]
    counted = answers["correct"] & ~answers["after seeing answers"].astype(bool)
    per_learner = counted.groupby([answers["objective"], answers["learner"]]).all()
    mastery = per_learner.groupby("objective").agg(learners="size", secure="mean")
    mastery["secure"] = mastery["secure"].round(2)
    mastery["text"] = texts.reindex(mastery.index)
    return mastery.reset_index()


def write_example_folder(folder: str | Path, learners: int = 12, seed: int = 2007, hostile: bool = False) -> Path:
    """Write a folder of made-up results files, the same every time for a given seed, with two
    deliberately broken files: for trying the class-results notebook and for its tests.
    With hostile=True, also one file of each kind that `load_folder` sets aside: hostile
    (markup in a file name, an id or a name), of the wrong version, deeply nested, binary, too
    large, a link, a folder, a copy and an earlier download; and the last learner's file is
    saved with a byte-order mark (which is fine)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    questions = _questions()
    docs = []
    for n in range(1, learners + 1):
        skill = rng.uniform(0.35, 0.95)
        quizzes: dict[str, dict] = {}
        for qid, q in questions.items():
            if rng.random() < 0.2:
                continue  # not every learner answers everything
            right = [o["id"] for o in q["options"] if o["correct"]]
            wrong = [o["id"] for o in q["options"] if not o["correct"]]
            chosen = right if rng.random() < skill or not wrong else [rng.choice(wrong)]
            quizzes.setdefault(q["chapter"], {"answers": {}})["answers"][qid] = chosen
        docs.append({"format": FORMAT, "version": 1, "exported": "2026-11-22T10:00:00Z",
                     "learner": f"Example learner {n}", "quizzes": quizzes})
        _write_json(folder / f"learner-{n:02d}.json", docs[-1])
    (folder / "broken-download.json").write_text('{"format": "peaceops-results", "version": 1, "quizz', encoding="utf-8")
    _write_json(folder / "other-course.json", {"format": "another-course", "answers": {}})
    if hostile:
        _write_hostile_examples(folder, docs, next(iter(questions.values())))
    return folder


def _write_json(path: Path, doc) -> None:
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _write_hostile_examples(folder: Path, docs: list[dict], question: dict) -> None:
    def write(name: str, doc) -> None:
        _write_json(folder / name, doc)

    last = folder / f"learner-{len(docs):02d}.json"
    last.write_bytes(b"\xef\xbb\xbf" + last.read_bytes())
    (folder / "learner-01_copy.json").write_bytes((folder / "learner-01.json").read_bytes())
    write("learner-02-earlier.json", {**docs[1], "exported": "2026-11-15T09:30:00.000Z",
                                      "quizzes": dict(list(docs[1]["quizzes"].items())[:1])})
    payload = "<img src=x onerror=\"document.title='pwned'\">"
    write("hostile-question.json", {**docs[0], "quizzes": {question["chapter"]: {"answers": {
        "<script>document.title='pwned'</script>": ["a"]}}}})
    write("hostile-option.json", {**docs[0], "quizzes": {question["chapter"]: {"answers": {question["id"]: [payload]}}}})
    write("hostile-name.json", {**docs[0], "learner": payload * 10})
    write("version-true.json", {**docs[0], "version": True})
    (folder / "deeply-nested.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "binary.json").write_bytes(bytes(range(256)) * 4)
    with open(folder / "too-large.json", "wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse where the file system allows: no real 10 MB written
    (folder / "more-results.json").mkdir(exist_ok=True)
    if os.name == "posix":  # a name and a link that Windows does not allow
        write(payload + ".json", {**docs[0], "version": "1"})
        link = folder / "link-to-elsewhere.json"
        if not link.is_symlink():
            link.symlink_to(folder.parent / "elsewhere.json")


def table(frame: pd.DataFrame, name: str, bars: dict[str, str] | None = None, percent: tuple[str, ...] = ()):
    """Show a summary as an HTML table, shares as percentages, with in-cell bars for the columns in
    `bars` (column -> colour). Every cell and label is escaped: the text comes from learners'
    files and from the course's data, and is shown as text, never run as markup. The element ids
    derive from `name`, so the output is the same on every run (the notebooks' saved outputs are
    checked)."""
    from IPython.display import HTML
    style = (frame.style.hide(axis="index").set_uuid(name)
             .format({c: "{:.0%}" for c in percent}, escape="html")  # one call: a second would undo the first
             .format_index(escape="html", axis=0).format_index(escape="html", axis=1)
             # Cells keep a readable width and wrap a long word (a file name, a quoted id) only
             # where it must; on a narrow screen the table scrolls in its own box instead.
             .set_table_styles([{"selector": "th, td", "props": "overflow-wrap: break-word; vertical-align: top; "
                                                                 "min-width: 4.5em; max-width: 30em"}]))
    for column, colour in (bars or {}).items():
        style = style.bar(subset=[column], vmin=0, vmax=1, color=colour)
    label = html.escape(name.replace("-", " "), quote=True)
    return HTML(f'<div class="po-results-table" role="region" aria-label="Table: {label}" tabindex="0" '
                f'style="overflow-x: auto; max-width: 100%">{style.to_html()}</div>')


# ---------------------------------------------------------------------------------------------
# Class results from a learning-record store (LRS), for the class edition (`make class`).
# A section of its own: it reads the class's xAPI statements (sent by peaceops/lrs/xapi.js),
# writes one results document per learner, as a learner's download would be, and hands the
# folder to load_folder above, so records from an LRS meet exactly the checks files meet.
#
#     answers, problems = results.load_lrs()   # LRS_URL, LRS_TEACHER_USER, LRS_TEACHER_PASSWORD
#
# The teacher's credentials come from the environment (or arguments), never from a notebook.
# ---------------------------------------------------------------------------------------------
LRS_SETTINGS = ("LRS_URL", "LRS_TEACHER_USER", "LRS_TEACHER_PASSWORD")
LRS_TIMEOUT = 10          # seconds per request
LRS_PAGE_SIZE = 100       # statements per request (ralph's most)
LRS_MAX_PAGES = 2000      # 200,000 statements: far more than a class sends
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
LRS_FIX = "nothing to do: it is left out (the course's pages never send such a record; check who wrote it to the LRS)"


class LrsError(RuntimeError):
    """The LRS could not be read: what happened and what to do."""


def lrs_settings() -> bool:
    """Whether the environment names an LRS and the teacher's credentials for it."""
    return all(os.environ.get(name) for name in LRS_SETTINGS)


def _lrs_get(url: str, authorization: str) -> dict:
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    connection = (http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection)(
        parts.hostname, parts.port, timeout=LRS_TIMEOUT)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                           headers={"Authorization": authorization, "X-Experience-API-Version": "1.0.3",
                                    "Accept": "application/json"})
        response = connection.getresponse()
        content = response.read(MAX_FILE_BYTES + 1)
    except (OSError, http.client.HTTPException) as exc:
        raise LrsError(f"The LRS at {parts.scheme}://{parts.netloc} cannot be reached ({type(exc).__name__}). "
                       "Fix: check that it runs (make lrs) and that LRS_URL is its xAPI address.") from None
    finally:
        connection.close()
    if response.status in (401, 403):
        raise LrsError(f"The LRS refused the teacher's credentials ({response.status}). Fix: check "
                       "LRS_TEACHER_USER and LRS_TEACHER_PASSWORD (the teacher user of make lrs, who may read).")
    if response.status != 200:
        raise LrsError(f"The LRS answered {response.status} to {plain(parts.path, 80)}. Fix: check that LRS_URL "
                       "is the LRS's xAPI address, such as http://127.0.0.1:8100/xAPI/.")
    if len(content) > MAX_FILE_BYTES:
        raise LrsError(f"The LRS sent a page larger than {MAX_FILE_BYTES // 2**20} MB. Fix: check that LRS_URL is an LRS.")
    try:
        page = _parse(content)
    except _Unusable as exc:
        raise LrsError(f"The LRS sent what is not a page of statements: {exc.reason.problem}. "
                       "Fix: check that LRS_URL is an LRS.") from None
    if not isinstance(page, dict) or not isinstance(page.get("statements"), list) \
            or not isinstance(page.get("more", ""), str):
        raise LrsError("The LRS sent what is not a page of statements (no 'statements' list). "
                       "Fix: check that LRS_URL is an LRS's xAPI address.")
    return page


def lrs_statements(url: str, user: str, password: str) -> list[dict]:
    """Every statement in the LRS, page after page ('more'), each once (by id). A 'more' link to
    another site is not followed: the teacher's credentials go to the LRS's own address only."""
    from urllib.parse import urljoin, urlsplit
    import base64
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise LrsError(f"LRS_URL is {plain(url, 80)!r}, not an http(s) address. Fix: set it to the LRS's xAPI "
                       "address, such as http://127.0.0.1:8100/xAPI/.")
    authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    site = urlsplit(url)[:2]
    following = urljoin(url.rstrip("/") + "/", f"statements?limit={LRS_PAGE_SIZE}")
    seen_pages, statements, ids = set(), [], set()
    for _ in range(LRS_MAX_PAGES):
        page = _lrs_get(following, authorization)
        for statement in page["statements"]:
            key = statement.get("id") if isinstance(statement, dict) else None
            if not isinstance(key, str) or key not in ids:
                statements.append(statement)
                ids.add(key)
        more = page.get("more") or ""
        if not more or not page["statements"]:
            return statements
        following = urljoin(following, more)
        if urlsplit(following)[:2] != site:
            raise LrsError(f"The LRS pointed to more statements on another site ({plain(more, 60)}), which is not "
                           "followed. Fix: check that LRS_URL is the LRS's own address.")
        if following in seen_pages:
            return statements  # the LRS sent the same page again: nothing more to read
        seen_pages.add(following)
    raise LrsError(f"The LRS holds more than {LRS_MAX_PAGES * LRS_PAGE_SIZE} statements; only those were read. "
                   "Fix: clear old classes' records from the LRS.")


def _lrs_answer(statement, questions: dict[str, dict]):
    """(learner name, chapter, question, chosen, time) from a quiz-answer statement the course's
    pages wrote; None for a statement of another kind; _Unusable for one that does not fit."""
    from urllib.parse import unquote
    if not isinstance(statement, dict) or not isinstance(statement.get("verb"), dict):
        raise _Unusable("not an xAPI statement")
    if statement["verb"].get("id") != ANSWERED:
        return None  # activity decisions, final assessments: not part of the answers table
    target = statement.get("object") if isinstance(statement.get("object"), dict) else {}
    path = str(target.get("id", "")).rstrip("/").split("/")
    if len(path) < 3 or path[-3] != "quiz":
        raise _Unusable(f"answers '{plain(str(target.get('id', '')))}', which is not a quiz question of this course")
    chapter, qid = unquote(path[-2]), unquote(path[-1])
    actor = statement.get("actor") if isinstance(statement.get("actor"), dict) else {}
    name = actor.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Unusable("has no learner name (actor.name)")
    result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
    response = result.get("response")
    if not isinstance(response, str) or not response:
        raise _Unusable(f"has no answer (result.response) for '{plain(qid)}'")
    return name.strip(), chapter, qid, response.split("[,]"), _exported(statement.get("timestamp"))


def lrs_documents(statements: list, questions: dict[str, dict] | None = None) -> tuple[dict[str, dict], list[dict]]:
    """One results document per learner name (their latest answer to each question, as the
    learner's saved quiz holds it), and the statements left out (source, problem, fix)."""
    questions = questions if questions is not None else _questions()
    latest: dict[tuple[str, str, str], tuple[datetime, list[str]]] = {}
    problems = []
    for statement in statements:
        try:
            answer = _lrs_answer(statement, questions)
        except _Unusable as exc:
            sid = statement.get("id") if isinstance(statement, dict) else None
            problems.append({"file": f"LRS statement {plain(str(sid), 40)}", "problem": exc.reason.problem,
                             "fix": LRS_FIX})
            continue
        if answer is None:
            continue
        name, chapter, qid, chosen, when = answer
        if (name, chapter, qid) not in latest or latest[(name, chapter, qid)][0] <= when:
            latest[(name, chapter, qid)] = (when, chosen)
    docs: dict[str, dict] = {}
    for (name, chapter, qid), (when, chosen) in sorted(latest.items()):
        doc = docs.setdefault(name, {"format": FORMAT, "version": 2, "exported": when, "learner": name,
                                     "quizzes": {}, "saved": {}})
        doc["exported"] = max(doc["exported"], when)
        doc["quizzes"].setdefault(chapter, {"answers": {}})["answers"][qid] = chosen
    for doc in docs.values():
        doc["exported"] = doc["exported"].astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return docs, problems


def load_lrs(url: str | None = None, user: str | None = None, password: str | None = None,
             anonymise: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The class's answers from its LRS, as load_folder gives them for files (one row per learner
    and question; learners by the name they gave, each counted once across their browsers), and
    the records left out. Settings default to LRS_URL, LRS_TEACHER_USER, LRS_TEACHER_PASSWORD."""
    import tempfile
    url = url or os.environ.get("LRS_URL")
    user = user or os.environ.get("LRS_TEACHER_USER")
    password = password or os.environ.get("LRS_TEACHER_PASSWORD")
    if not (url and user and password):
        raise LrsError("No LRS settings. Fix: set LRS_URL (e.g. http://127.0.0.1:8100/xAPI/), LRS_TEACHER_USER "
                       "and LRS_TEACHER_PASSWORD in the environment before starting Jupyter (make lab).")
    docs, problems = lrs_documents(lrs_statements(url, user, password))
    sources = {}
    with tempfile.TemporaryDirectory(prefix="peaceops-lrs-") as folder:
        for number, (name, doc) in enumerate(sorted(docs.items()), start=1):
            file = f"lrs-{number:05d}.json"
            sources[file] = f"LRS learner '{plain(name, 60)}'"
            _write_json(Path(folder) / file, doc)
        answers, file_problems = load_folder(folder, anonymise=anonymise)
    file_problems["file"] = file_problems["file"].map(sources).fillna(file_problems["file"])
    file_problems["fix"] = LRS_FIX
    problems = pd.concat([file_problems, pd.DataFrame(problems, columns=["file", "problem", "fix"])],
                         ignore_index=True)
    return answers, problems
