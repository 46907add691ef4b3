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


# =================================================================================================
# The pre/post knowledge check and the participant evaluation (issue 12, section 5).
# Both live in a learner's `saved` section (keys "check/pre", "check/post", "evaluation"), as the
# book's KnowledgeCheck and Evaluation widgets save them. This section only reads files through
# the checks above; like them, it takes nothing a file says on trust: scores are recomputed from
# the answers, and a saved value that is not what the course writes is listed as a problem and
# left out, without losing the rest of that learner's file.
#
#     gains, problems = results.knowledge_check_gain("class-results/")
#     results.knowledge_check_summary(gains)          # the class: pre, post and gain, by form order
#     ratings, comments, problems = results.evaluation_summary("class-results/")
# =================================================================================================

MAX_COMMENT_CHARS = 2000  # the in-book form's comment boxes hold at most this many characters


def _learner_files(folder: str | Path, anonymise: bool) -> tuple[list[tuple[str, Path, dict]], list[dict]]:
    """(learner label, path, contents) for each usable file, one per learner, as load_folder
    counts them, and the problems with the others."""
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
    labelled = []
    for number, (path, doc) in enumerate(learners, start=1):
        name = (doc.get("learner") or "").strip()
        label = f"Learner {number}" if anonymise else plain(name, MAX_LEARNER_CHARS) or f"(no name) {plain(path.name, 80)}"
        labelled.append((label, path, doc))
    return labelled, problems + repeats


def _problems_frame(problems: list[dict]) -> pd.DataFrame:
    rows = sorted(({**p, "file": plain(p["file"], 80)} for p in problems), key=lambda p: p["file"])
    return pd.DataFrame(rows, columns=["file", "problem", "fix"])


def _check_score(value, key: str, forms: dict[str, list[dict]]) -> tuple[str, float]:
    """(form, share correct) of a finished saved check, recomputed from its answers; _Unusable
    if the value is not what the course writes, or the check is not finished."""
    if not isinstance(value, dict) or value.get("form") not in forms:
        raise _Unusable(f"'saved' → '{key}' names no form of the check ({', '.join(forms)})")
    questions = {q["id"]: q for q in forms[value["form"]]}
    answers = value.get("answers")
    if not isinstance(answers, dict):
        raise _Unusable(f"'saved' → '{key}' has no 'answers'")
    for qid, chosen in answers.items():
        question = questions.get(qid)
        if question is None:
            raise _Unusable(f"'saved' → '{key}' answers '{plain(qid)}', which is not a question of form {value['form']}")
        options = {o["id"] for o in question["options"]}
        if not (isinstance(chosen, list) and chosen and all(isinstance(c, str) and c in options for c in chosen)
                and len(set(chosen)) == len(chosen)):
            raise _Unusable(f"'saved' → '{key}': the answer to '{qid}' is not a list of its option ids")
    if value.get("finished") is not True:
        raise _Unusable(f"'saved' → '{key}': the check was started but not finished",
                        "ask the learner to finish it (the 'Finish' button) and download the results again")
    right = sum(data.is_correct(q, answers[q["id"]]) for q in questions.values() if q["id"] in answers)
    return value["form"], right / len(questions)


def knowledge_check_gain(folder: str | Path, anonymise: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per learner: the form and score (share correct, 0 to 1) of the check before the course and
    after it, and the gain (after minus before) where both were finished on different forms; a
    note says why a gain is missing. Scores are recomputed from the answers in the file. Also the
    table of problems (file, problem, fix), as load_folder gives it."""
    forms = data.load_knowledge_check()["forms"]
    learners, problems = _learner_files(folder, anonymise)
    rows = []
    for label, path, doc in learners:
        saved = doc.get("saved") or {}
        row = {"learner": label, "pre form": "", "pre": float("nan"), "post form": "", "post": float("nan")}
        for stage in ("pre", "post"):
            key = f"check/{stage}"
            if key not in saved:
                continue
            try:
                row[f"{stage} form"], row[stage] = _check_score(saved[key], key, forms)
            except _Unusable as exc:
                problems.append({"file": path.name, **exc.reason._asdict()})
        if not row["pre form"] and not row["post form"]:
            continue  # this learner took neither check: not part of this table
        same = row["pre form"] and row["pre form"] == row["post form"]
        row["gain"] = row["post"] - row["pre"] if row["pre form"] and row["post form"] and not same else float("nan")
        row["note"] = ("the same form twice: no gain, as the second score partly measures memory" if same else
                       "no finished check before the course" if not row["pre form"] else
                       "no finished check after the course" if not row["post form"] else "")
        rows.append(row)
    gains = pd.DataFrame(rows, columns=["learner", "pre form", "pre", "post form", "post", "gain", "note"])
    for column in ("pre", "post", "gain"):
        gains[column] = gains[column].astype(float).round(3)
    return gains, _problems_frame(problems)


def knowledge_check_summary(gains: pd.DataFrame) -> pd.DataFrame:
    """The class: for all learners with a gain, and for each order of forms (A then B, B then A),
    how many, the mean score before and after, the mean gain and the share who improved. If one
    order gains much more than the other, the forms differ in difficulty for this group."""
    complete = gains.dropna(subset=["gain"])
    groups = [("all learners with both checks", complete)]
    for order in sorted({(a, b) for a, b in zip(complete["pre form"], complete["post form"])}):
        groups.append((f"form {order[0]} then form {order[1]}",
                       complete[(complete["pre form"] == order[0]) & (complete["post form"] == order[1])]))
    rows = [{"group": name, "learners": len(frame), "mean before": frame["pre"].mean(), "mean after": frame["post"].mean(),
             "mean gain": frame["gain"].mean(), "share who improved": (frame["gain"] > 0).mean()}
            for name, frame in groups]
    summary = pd.DataFrame(rows, columns=["group", "learners", "mean before", "mean after", "mean gain", "share who improved"])
    return summary.round(3)


class EvaluationSummary(NamedTuple):
    ratings: pd.DataFrame   # per statement: responses, mean, and how many chose 1, 2, 3, 4, 5
    comments: pd.DataFrame  # per open question, every comment, as plain text, not tied to a learner
    roles: pd.DataFrame     # how many said they are civilian, military, police or other
    problems: pd.DataFrame  # file, problem, fix


def _evaluation(value, form: dict) -> dict:
    """A saved evaluation checked against the form, or _Unusable."""
    rated = {s["id"] for s in [*form["statements"], form["overall"]]}
    asked = {c["id"] for c in form["comments"]}
    if not isinstance(value, dict):
        raise _Unusable("'saved' → 'evaluation' is not an object")
    ratings, comments = value.get("ratings", {}), value.get("comments", {})
    if not isinstance(ratings, dict) or not all(k in rated and type(v) is int and 1 <= v <= 5 for k, v in ratings.items()):
        raise _Unusable("'saved' → 'evaluation' has a rating that is not a statement of the form rated 1 to 5")
    if not isinstance(comments, dict) or not all(k in asked and isinstance(v, str) for k, v in comments.items()):
        raise _Unusable("'saved' → 'evaluation' has a comment that answers no question of the form")
    role = value.get("role")
    if role is not None and role not in form["roles"]:
        raise _Unusable(f"'saved' → 'evaluation' gives the role {_describe(role)}, not one the form offers")
    return {"ratings": ratings, "comments": comments, "role": role}


def evaluation_summary(folder: str | Path) -> EvaluationSummary:
    """The participant evaluations saved in the book: per statement, the number of responses, the
    mean (1 = strongly disagree, 5 = strongly agree) and the distribution; how many gave each role
    (civilian, military, police, other); the comments listed as
    plain text under their question, in file order and not tied to a learner (the form is
    anonymous); and the problems. Comments are participants' own words: show them with table(),
    which escapes them, never as markup."""
    form = data.load_evaluation()
    learners, problems = _learner_files(folder, anonymise=True)
    answers = []
    for _, path, doc in learners:
        value = (doc.get("saved") or {}).get("evaluation")
        if value is None:
            continue
        try:
            answers.append(_evaluation(value, form))
        except _Unusable as exc:
            problems.append({"file": path.name, **exc.reason._asdict()})
    rows = []
    for item in [*form["statements"], form["overall"]]:
        given = [a["ratings"][item["id"]] for a in answers if item["id"] in a["ratings"]]
        counts = Counter(given)
        rows.append({"statement": item["text"], "responses": len(given),
                     "mean": round(sum(given) / len(given), 2) if given else float("nan"),
                     **{str(n): counts.get(n, 0) for n in range(1, 6)}})
    ratings = pd.DataFrame(rows, columns=["statement", "responses", "mean", "1", "2", "3", "4", "5"])
    comments = pd.DataFrame(
        # line breaks become spaces; any other control or direction-changing character is shown as an escape
        [{"question": c["prompt"], "comment": plain(" ".join(a["comments"][c["id"]].split()), MAX_COMMENT_CHARS)}
         for c in form["comments"] for a in answers if a["comments"].get(c["id"], "").strip()],
        columns=["question", "comment"])
    roles = pd.DataFrame([{"role": role, "responses": sum(a["role"] == role for a in answers)} for role in form["roles"]],
                         columns=["role", "responses"])
    return EvaluationSummary(ratings, comments, roles, _problems_frame(problems))
