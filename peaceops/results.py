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

import functools
import hashlib
import html
import io
import json
import os
import random
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import pandas as pd

from . import data

FORMAT = "peaceops-results"
VERSIONS = (1, 2)  # what progress.js writes; version 2 adds `saved` (the learner's other saved work)
MAX_FILE_BYTES = 10 * 2**20  # a results file is a few kilobytes; browser storage holds about 5 MB
MAX_LEARNER_CHARS = 100
QUOTE_CHARS = 40  # longest value quoted in a reason
MAX_ATTEMPTS = 100_000  # times one quiz question was checked (quiz.js counts them)
EXAM_HISTORY_MAX = 50  # finished attempts exam.js keeps (the latest ones)
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
    too_big = _too_big()
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


def _when(value, where: str = "'exported' is") -> datetime:
    """A time as the course writes it (ISO 8601, as '2026-11-22T10:00:00.000Z'), in UTC."""
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        when = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise _Unusable(f"{where} {_describe(value)}; the course writes a date and time there, "
                        "such as '2026-11-22T10:00:00.000Z'")
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _exported(value) -> datetime:
    """The download time the course writes in 'exported'."""
    return _when(value)


def _whole(value, low: int, high: int) -> bool:
    """A JSON whole number from low to high (not `true`, which Python counts as 1; not 1.0)."""
    return type(value) is int and low <= value <= high


def _share(value) -> bool:
    """A score as the course writes it: a number from 0 to 1."""
    return type(value) in (int, float) and 0 <= value <= 1


def _check_choice(where: str, what: str, qid, chosen, questions: dict[str, dict], chapter_id: str | None) -> None:
    """One answer: a known question (of `chapter_id`, when given) and a list of its own option ids,
    one for a single-choice question."""
    question = questions.get(qid)
    if question is None or (chapter_id is not None and question["chapter"] != chapter_id):
        raise _Unusable(f"{where} answers '{plain(qid)}', which is not a question of this "
                        + ("course" if question is None else "chapter"),
                        "check that the learner used this edition of the course; if so, " + DOWNLOAD_AGAIN)
    if not isinstance(chosen, list) or not chosen or not all(isinstance(c, str) for c in chosen):
        raise _Unusable(f"{what} '{qid}' is not a list of option ids")
    options = [o["id"] for o in question["options"]]
    unknown = next((c for c in chosen if c not in options), None)
    if unknown is not None:
        raise _Unusable(f"{what} '{qid}' chooses '{plain(unknown)}', which is not one of its options "
                        f"({', '.join(options)})")
    if len(set(chosen)) != len(chosen) or (question["type"] != "multiple" and len(chosen) != 1):
        raise _Unusable(f"{what} '{qid}' chooses {len(chosen)} options, which the course never "
                        f"writes for a question of type '{question['type']}'")


def _check_exam(exam, bank: dict[str, dict]) -> None:
    """The final assessment as exam.js saves it (see its header): the current attempt, the best
    passing result and, since December 2026, the history of finished attempts."""
    if not _whole(exam.get("seed"), 0, 2**53):
        raise _Unusable(f"the exam's 'seed' is {_describe(exam.get('seed'))}; the course writes a whole number")
    answers = exam.get("answers")
    if not isinstance(answers, dict):
        raise _Unusable("the exam has no 'answers'" if answers is None else
                        f"the exam's 'answers' is {_describe(answers)}, not an object")
    for qid, chosen in answers.items():
        _check_choice("the exam", "the exam's answer to", qid, chosen, bank, None)
    for key in ("finished", "passed"):
        if key in exam and not isinstance(exam[key], bool):
            raise _Unusable(f"the exam's '{key}' is {_describe(exam[key])}; the course writes true or false")
    if "score" in exam and not _share(exam["score"]):
        raise _Unusable(f"the exam's 'score' is {_describe(exam['score'])}; the course writes a number from 0 to 1")
    best = exam.get("best")
    if best is not None:
        if not isinstance(best, dict) or not _share(best.get("score")):
            raise _Unusable("the exam's 'best' has no score from 0 to 1")
        _when(best.get("date"), "the exam's best 'date' is")
    history = exam.get("history", [])
    if not isinstance(history, list) or len(history) > EXAM_HISTORY_MAX:
        raise _Unusable(f"the exam's 'history' is {_describe(history)}" + (f" of {len(history)} attempts" if
                        isinstance(history, list) else "") + f"; the course keeps a list of at most {EXAM_HISTORY_MAX}")
    for n, attempt in enumerate(history, start=1):
        if not (isinstance(attempt, dict) and _whole(attempt.get("seed"), 0, 2**53)
                and _whole(attempt.get("max"), 1, len(bank)) and _whole(attempt.get("raw"), 0, attempt["max"])
                and _share(attempt.get("score")) and abs(attempt["score"] - attempt["raw"] / attempt["max"]) < 1e-9
                and isinstance(attempt.get("passed"), bool)):
            raise _Unusable(f"attempt {n} of the exam's 'history' is not what the course writes (a draw number, "
                            "the questions right of those asked, their share and whether it passed)")
        _when(attempt.get("finished"), f"the time attempt {n} of the exam's 'history' finished is")


def _check_document(content: bytes, questions: dict[str, dict], exam_bank: dict[str, dict]) -> dict:
    """The contents of a results file, or _Unusable saying why it cannot be used."""
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
            _check_choice(f"quiz '{chapter_id}'", "the answer to", qid, chosen, questions, chapter_id)
        first = quiz.get("first", {})
        if not isinstance(first, dict):
            raise _Unusable(f"quiz '{chapter_id}' has 'first' as {_describe(first)}, not an object")
        for qid, chosen in first.items():
            _check_choice(f"quiz '{chapter_id}' 'first'", "the first answer to", qid, chosen, questions, chapter_id)
        attempts = quiz.get("attempts", {})
        if not isinstance(attempts, dict):
            raise _Unusable(f"quiz '{chapter_id}' has 'attempts' as {_describe(attempts)}, not an object")
        for qid, count in attempts.items():
            if questions.get(qid, {}).get("chapter") != chapter_id:
                raise _Unusable(f"quiz '{chapter_id}' counts attempts at '{plain(qid)}', which is not a question of "
                                "this chapter", "check that the learner used this edition of the course; if so, "
                                + DOWNLOAD_AGAIN)
            if not _whole(count, 1, MAX_ATTEMPTS):
                raise _Unusable(f"the attempts at '{qid}' are {_describe(count)}; the course writes a whole number "
                                f"from 1 to {MAX_ATTEMPTS:,}")
        revealed = quiz.get("revealed", [])
        if not isinstance(revealed, list) or not all(isinstance(r, str) and questions.get(r, {}).get("chapter") == chapter_id
                                                      for r in revealed):
            raise _Unusable(f"quiz '{chapter_id}' has a 'revealed' entry that is not a list of its question ids",
                            DOWNLOAD_AGAIN)
    if doc.get("exam") is not None:
        _check_exam(doc["exam"], exam_bank)
    _exported(doc.get("exported"))
    return doc


def check_file(path: Path, questions: dict[str, dict],
               exam_bank: dict[str, dict] | None = None) -> tuple[dict | None, Reason | None]:
    """(contents, None) for a usable results file, or (None, reason) for one that is not.
    Never raises for what a file holds; reads nothing larger than MAX_FILE_BYTES; follows no link."""
    try:
        return _check_document(_read(Path(path)), questions, _exam_bank() if exam_bank is None else exam_bank), None
    except _Unusable as exc:
        return None, exc.reason


def _questions() -> dict[str, dict]:
    return {q["id"]: {**q, "chapter": c["id"]} for c in data.load_chapters()
            for q in data.load_quiz(c["id"])["questions"]}


@functools.lru_cache(maxsize=1)
def _exam_bank() -> dict[str, dict]:
    return {q["id"]: q for q in data.load_exam()["questions"]}


def _utc(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class _File(NamedTuple):
    name: str      # as the teacher knows it: the file's name, or "archive.zip/inner name"
    doc: dict
    digest: str    # of its bytes, to recognise copies


def _one_file_per_learner(usable: list[_File]) -> tuple[list[_File], list[dict]]:
    """Each learner counted once: of identical files the first (by name) is kept; of several
    downloads under one learner name, the latest ('exported'). The others are returned as problems."""
    kept, problems, first_with = [], [], {}
    for file in usable:
        if file.digest in first_with:
            problems.append({"file": file.name, "problem": f"the same file as '{plain(first_with[file.digest].name, 80)}'",
                             "fix": "nothing to do: it is counted once (you may delete the copy)"})
        else:
            first_with[file.digest] = file
            kept.append(file)
    by_name: dict[str, list[tuple[datetime, str, int]]] = {}
    for n, file in enumerate(kept):
        if isinstance(file.doc.get("learner"), str) and file.doc["learner"].strip():
            by_name.setdefault(file.doc["learner"].strip(), []).append((_exported(file.doc["exported"]), file.name, n))
    dropped = set()
    for downloads in by_name.values():
        when_latest, latest, n_latest = max(downloads)
        for when, name, n in downloads:
            if n == n_latest:
                continue
            dropped.add(n)
            if when == when_latest:
                problem = (f"the same learner name and download time as '{plain(latest, 80)}', with other "
                           "answers; that file is used")
                fix = "check which file is the learner's own and remove the other"
            else:
                problem = (f"an earlier download ({_utc(when)}) under the same learner name as "
                           f"'{plain(latest, 80)}' ({_utc(when_latest)}), which is used instead")
                fix = ("nothing to do: only the latest download counts (if these are two learners with one name, "
                       "ask one of them to download again under another name)")
            problems.append({"file": name, "problem": problem, "fix": fix})
    return [f for n, f in enumerate(kept) if n not in dropped], problems


class ClassResults(NamedTuple):
    """What a class's results files hold, as tables (pandas DataFrames):
    answers   one row per learner and quiz question (see `ANSWER_COLUMNS`);
    exams     one row per learner who started the final assessment (see `EXAM_COLUMNS`);
    problems  one row per file or entry not used: file, problem, fix;
    learners  how many learners' files were used."""
    answers: pd.DataFrame
    exams: pd.DataFrame
    problems: pd.DataFrame
    learners: int


ANSWER_COLUMNS = ["learner", "chapter", "question", "objective", "chosen", "correct", "after seeing answers",
                  "first try", "first try correct", "attempts"]
EXAM_COLUMNS = ["learner", "finished attempts", "best score", "latest score", "passed", "now"]


def read_folder(folder: str | Path, anonymise: bool = True) -> ClassResults:
    """Every results file in a folder. A bad file never stops the rest; copies and earlier
    downloads of one learner are counted once. Files are only read, never changed; names
    starting with '.' (hidden files, Jupyter's checkpoints) are left out."""
    return _read_entries(_folder_entries(folder), anonymise)


def _folder_entries(folder: str | Path) -> list[tuple[str, bytes | _Unusable]]:
    """(name, bytes) for each file in the folder, or (name, _Unusable) for one that cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder. Fix: put the learners' results files in one folder "
                                "and pass its path.")
    entries = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        try:
            entries.append((path.name, _read(path)))
        except _Unusable as exc:
            entries.append((path.name, exc))
    return entries


def load_folder(folder: str | Path, anonymise: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The answers and the problems of `read_folder` (as the first class-results notebooks used it)."""
    found = read_folder(folder, anonymise)
    return found.answers, found.problems


MAX_UPLOAD_ENTRIES = 1000           # files taken from one upload, archives' contents included
MAX_UNPACKED_BYTES = 50 * 2**20     # what one zip archive may unpack to, in all


def read_uploads(files: list[tuple[str, bytes]], anonymise: bool = True) -> ClassResults:
    """The class from files a teacher uploaded, as (name, bytes): results files, or zip archives
    of them. Checked exactly as a folder's files are; an archive is opened in memory (nothing is
    written to disk, so names inside it cannot reach any folder), only to MAX_UNPACKED_BYTES in
    all, one level deep, and its files are named "archive.zip/inner name"."""
    entries: list[tuple[str, bytes | _Unusable]] = []
    for name, content in files:
        content = bytes(content)
        if content[:4] == b"PK\x03\x04" or str(name).lower().endswith(".zip"):
            entries += _unzip(str(name), content)
        elif len(content) > MAX_FILE_BYTES:
            entries.append((str(name), _too_big()))
        else:
            entries.append((str(name), content))
    if len(entries) > MAX_UPLOAD_ENTRIES:
        left = len(entries) - MAX_UPLOAD_ENTRIES
        entries = entries[:MAX_UPLOAD_ENTRIES] + [(f"({left} more files)", _Unusable(
            f"not read: one upload is read up to {MAX_UPLOAD_ENTRIES} files", "upload the class in smaller groups"))]
    return _read_entries(entries, anonymise)


def _too_big() -> _Unusable:
    return _Unusable(f"larger than {MAX_FILE_BYTES // 2**20} MB, so it is not read (a results file from this "
                     "course is a few kilobytes)", DOWNLOAD_AGAIN)


def _unzip(name: str, content: bytes) -> list[tuple[str, bytes | _Unusable]]:
    """The files of a zip archive, each as bytes or as the reason it is not read."""
    redo = "make the archive again from the learners' files (or upload the files themselves)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                   and not PurePosixPath(i.filename).name.startswith(".")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return [(name, _Unusable("not a zip archive that can be opened (damaged, or not a zip file)", redo))]
    if not members:
        return [(name, _Unusable("a zip archive with no files in it", redo))]
    entries: list[tuple[str, bytes | _Unusable]] = []
    unpacked = 0
    for n, info in enumerate(members):
        shown = f"{name}/{info.filename}"
        if n >= MAX_UPLOAD_ENTRIES or unpacked + info.file_size > MAX_UNPACKED_BYTES:
            entries.append((shown, _Unusable(f"not read, nor the {len(members) - n - 1} files after it: the archive "
                                             f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB or "
                                             f"{MAX_UPLOAD_ENTRIES} files", redo)))
            break
        if info.flag_bits & 0x1:
            entries.append((shown, _Unusable("protected by a password, so it is not read", redo)))
        elif info.filename.lower().endswith(".zip"):
            entries.append((shown, _Unusable("an archive inside the archive, which is not opened",
                                             "upload that archive itself, or its files")))
        elif info.file_size > MAX_FILE_BYTES:
            entries.append((shown, _too_big()))
        else:
            try:
                with archive.open(info) as member:
                    data_ = member.read(MAX_FILE_BYTES + 1)  # never more, whatever the archive claims
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError):
                entries.append((shown, _Unusable("damaged in the archive, so it cannot be unpacked", redo)))
                continue
            unpacked += len(data_)
            entries.append((shown, _too_big() if len(data_) > MAX_FILE_BYTES else data_))
    return entries


def _read_entries(entries: list[tuple[str, bytes | _Unusable]], anonymise: bool) -> ClassResults:
    """The class's tables from (name, bytes) pairs; an entry that could not be read is an _Unusable."""
    questions = _questions()
    learners, problems = _learners(entries, anonymise)
    rows, exams = [], []
    for learner, file in learners:
        for quiz in file.doc["quizzes"].values():
            revealed = set(quiz.get("revealed", []))
            first, attempts = quiz.get("first", {}), quiz.get("attempts", {})
            for qid, chosen in quiz["answers"].items():
                q = questions[qid]
                rows.append({"learner": learner, "chapter": q["chapter"], "question": qid,
                             "objective": q["objective"], "chosen": ",".join(sorted(chosen)),
                             "correct": data.is_correct(q, chosen), "after seeing answers": qid in revealed,
                             # Files from before December 2026 have no first answers: unknown, never guessed.
                             "first try": ",".join(sorted(first[qid])) if qid in first else pd.NA,
                             "first try correct": data.is_correct(q, first[qid]) if qid in first else pd.NA,
                             "attempts": attempts.get(qid, pd.NA)})
        if file.doc.get("exam") is not None:
            exams.append({"learner": learner, **_exam_row(file.doc["exam"])})
    answers = pd.DataFrame(rows, columns=ANSWER_COLUMNS).astype(
        {"correct": bool, "after seeing answers": bool, "first try correct": "boolean", "attempts": "Int64"})
    problems = sorted(problems, key=lambda p: p["file"])
    for p in problems:
        p["file"] = plain(p["file"], 80)
    return ClassResults(answers,
                        pd.DataFrame(exams, columns=EXAM_COLUMNS).astype({"finished attempts": "Int64", "passed": bool}),
                        pd.DataFrame(problems, columns=["file", "problem", "fix"]), len(learners))


def _learners(entries: list[tuple[str, bytes | _Unusable]], anonymise: bool) -> tuple[list[tuple[str, _File]], list[dict]]:
    """(label, file) for each learner counted, once each (copies and earlier downloads left out),
    and the problems with every other entry. The one place that decides whose file counts."""
    questions, bank = _questions(), _exam_bank()
    usable, problems = [], []
    for name, content in entries:
        try:
            if isinstance(content, _Unusable):
                raise content
            usable.append(_File(name, _check_document(content, questions, bank), hashlib.sha256(content).hexdigest()))
        except _Unusable as exc:
            problems.append({"file": name, **exc.reason._asdict()})
    learners, repeats = _one_file_per_learner(usable)
    labelled = []
    for number, file in enumerate(learners, start=1):
        name = (file.doc.get("learner") or "").strip()
        labelled.append((f"Learner {number}" if anonymise else
                         plain(name, MAX_LEARNER_CHARS) or f"(no name) {plain(file.name, 80)}", file))
    return labelled, problems + repeats


def _exam_row(exam: dict) -> dict:
    """One learner's final assessment: finished attempts, best and latest score, passed, and the
    state of the current attempt. A save from before December 2026 has no history: the number of
    attempts is then unknown (NA), and the latest score is the current attempt's if it is finished."""
    history = exam.get("history")
    scores = [a["score"] for a in history or []]
    if history is None and exam.get("finished") and "score" in exam:
        scores = [exam["score"]]
    best = max(scores + ([exam["best"]["score"]] if exam.get("best") else []), default=None)
    passed = any(a["passed"] for a in history or []) or bool(exam.get("best")) or bool(exam.get("finished") and exam.get("passed"))
    answered = len(exam["answers"])
    return {"finished attempts": len(history) if history is not None else pd.NA,
            "best score": best, "latest score": scores[-1] if scores else None, "passed": passed,
            "now": "finished" if exam.get("finished") else f"an attempt in progress ({answered} answered)"
            if answered else "a new attempt, not begun"}


def _as_given(answers: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each answer as the learner first gave it where that is known, else as it stands now."""
    return (answers["first try"].fillna(answers["chosen"]).astype(str),
            answers["first try correct"].fillna(answers["correct"]).astype(bool))


def _first_try_columns(grouped) -> dict[str, pd.Series]:
    """The columns that tell the truth about retries, for answers grouped by question or learner:
    'share correct' counts first tries only (of the answers whose first try is known: NA when none
    is), 'first try unknown' counts answers from files saved before the course recorded first tries,
    'correct now' is the share right after any retries, 'mean attempts' is over known counts."""
    return {"share correct": grouped["first try correct"].mean().astype("Float64").round(2),
            "first try unknown": grouped["first try correct"].agg(lambda s: int(s.isna().sum())),
            "correct now": grouped["correct"].mean().round(2),
            "mean attempts": grouped["attempts"].mean().astype("Float64").round(1)}


def question_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Per question: its text, how many learners answered, the first-try share correct and
    retries (see `_first_try_columns`), and the wrong answer given most (at the first try where
    known), with its options' letters and texts as the learner read them."""
    questions = _questions()
    given, given_correct = _as_given(answers)

    def most_chosen_wrong(group):
        wrong = Counter(given[group.index][~given_correct[group.index]])
        if not wrong:
            return ""
        options = {o["id"]: o["text"] for o in questions[group.name[1]]["options"]}
        return "; ".join(f"{i}) {' '.join(options[i].split())}" for i in wrong.most_common(1)[0][0].split(","))
    grouped = answers.groupby(["chapter", "question"], sort=True)
    summary = pd.DataFrame({
        "answered": grouped.size(), **_first_try_columns(grouped),
        "most chosen wrong option": grouped.apply(most_chosen_wrong, include_groups=False),
    }).reset_index()
    summary.insert(2, "prompt", [" ".join(questions[q]["prompt"].split()) for q in summary["question"]])
    return summary


def learner_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Per learner: questions answered, the first-try share correct and retries (see
    `_first_try_columns`)."""
    grouped = answers.groupby("learner", sort=False)
    return pd.DataFrame({"answered": grouped.size(), **_first_try_columns(grouped)}).reset_index()


def exam_class_view(exams: pd.DataFrame, learners: int) -> pd.DataFrame:
    """The final assessment for the class, as short lines a teacher reads: who took it, who
    passed, the scores and the attempts (of the learners whose attempts are known)."""
    finished = exams[exams["best score"].notna()]
    known = exams["finished attempts"].dropna()
    rows = [("learners whose files were read", str(learners)),
            ("started the final assessment", str(len(exams))),
            ("finished at least one attempt", str(len(finished))),
            ("passed", f"{int(exams['passed'].sum())}" + (f" ({exams['passed'].sum() / len(finished):.0%} of those who "
                                                          "finished)" if len(finished) else "")),
            ("mean best score", f"{finished['best score'].mean():.0%}" if len(finished) else "no score yet"),
            ("mean latest score", f"{finished['latest score'].mean():.0%}" if len(finished) else "no score yet"),
            ("finished attempts per learner", f"{known.mean():.1f} on average, at most {known.max()}" if len(known)
             else "unknown"),
            ("attempts unknown (files from before December 2026)", str(int(exams["finished attempts"].isna().sum())))]
    return pd.DataFrame(rows, columns=["measure", "value"])


def headline(found: ClassResults) -> str:
    """What a teacher reads first: files read and set aside, the share correct at the first try
    (never guessed for files that do not record it) and the final assessment."""
    answers, learners = found.answers, found.learners
    known = answers["first try correct"].dropna()
    unknown = int(answers["first try correct"].isna().sum())
    text = ("1 learner's file read" if learners == 1 else f"{learners} learners' files read") + (f", {len(found.problems)} "
            f"entr{'ies' if len(found.problems) != 1 else 'y'} set aside. ")
    text += (f"Share correct at the first try: {known.mean():.0%} of {len(known)} answers whose first try is known. "
             if len(known) else "Share correct at the first try: unknown (no file records first tries). ")
    if unknown:
        text += (f"{unknown} answer{'s' * (unknown != 1)} from files saved before the course recorded first tries: "
                 f"first try unknown (of those, {answers.loc[answers['first try correct'].isna(), 'correct'].mean():.0%} "
                 "are correct now, possibly after retries). ")
    finished = int(found.exams["best score"].notna().sum())
    text += (f"Final assessment: {finished} learner{'s' * (finished != 1)} finished at least one attempt, "
             f"{int(found.exams['passed'].sum())} passed.")
    return text


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


def write_example_folder(folder: str | Path, learners: int = 12, seed: int = 2007, hostile: bool = False,
                         older: int = 2) -> Path:
    """Write a folder of made-up results files, the same every time for a given seed, with two
    deliberately broken files: for trying the class-results notebook and for its tests.
    Learners answer some questions wrong at the first try and retry most of those, and take the
    final assessment up to three times; the last `older` learners' files are as the course wrote
    them before December 2026 (version 1: no first answers, no attempt counts, no exam history).
    With hostile=True, also one file of each kind that `load_folder` sets aside: hostile
    (markup in a file name, an id or a name, a spreadsheet formula in a file name), of the wrong
    version, deeply nested, binary, too large, a link, a folder, a copy and an earlier download;
    and the last learner's file is saved with a byte-order mark (which is fine)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    questions = _questions()
    exam_questions = 2 * len({q["chapter"] for q in questions.values()})  # exam.js: 2 per chapter
    docs = []
    for n in range(1, learners + 1):
        skill = rng.uniform(0.35, 0.95)
        old = n > learners - older
        quizzes: dict[str, dict] = {}
        for qid, q in questions.items():
            if rng.random() < 0.2:
                continue  # not every learner answers everything
            right = [o["id"] for o in q["options"] if o["correct"]]
            wrong = [o["id"] for o in q["options"] if not o["correct"]]
            first = right if rng.random() < skill or not wrong else [rng.choice(wrong)]
            retries = 0 if first == right or rng.random() < 0.3 else rng.choice((1, 1, 2))
            quiz = quizzes.setdefault(q["chapter"], {"answers": {}} if old else {"answers": {}, "first": {}, "attempts": {}})
            quiz["answers"][qid] = right if retries else first
            if not old:
                quiz["first"][qid], quiz["attempts"][qid] = first, 1 + retries
        doc = {"format": FORMAT, "version": 1 if old else 2, "exported": "2026-11-22T10:00:00Z",
               "learner": f"Example learner {n}", "quizzes": quizzes}
        history = []
        for attempt in range(rng.choice((0, 1, 2, 2, 3))):  # a learner does a little better each time
            raw = min(exam_questions, round(exam_questions * rng.uniform(skill - 0.1, skill + 0.1 + 0.05 * attempt)))
            history.append({"seed": attempt + 1, "raw": raw, "max": exam_questions, "score": raw / exam_questions,
                            "passed": raw / exam_questions >= 0.75, "finished": f"2026-11-2{attempt}T15:00:00.000Z"})
        if history:
            last, best = history[-1], max((a for a in history if a["passed"]), key=lambda a: a["score"], default=None)
            doc["exam"] = {"seed": last["seed"], "answers": {}, "finished": True, "score": last["score"],
                           "passed": last["passed"], "updated": last["finished"]}
            if best:
                doc["exam"]["best"] = {"score": best["score"], "date": best["finished"], "seed": best["seed"]}
            if not old:
                doc["exam"]["history"] = history
        if not old:
            doc["saved"] = {}
        docs.append(doc)
        _write_json(folder / f"learner-{n:02d}.json", doc)
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
    write("=SUM(1+1)+cmd.json", {**docs[0], "quizzes": {question["chapter"]: {"answers": {}, "attempts": {
        question["id"]: "=1+1"}}}})
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


class Table(NamedTuple):
    """One table of the class's results, as the notebook and the dashboard show it and as it is
    exported: `name` names its sheet and CSV file; shares in `percent` show as percentages;
    `missing` gives, per column, the text for a missing value ("unknown" elsewhere); a table too
    long to read on a page (`on_page` false) is only exported."""
    name: str
    title: str
    frame: pd.DataFrame
    percent: tuple[str, ...] = ()
    bars: dict[str, str] | None = None
    missing: dict[str, str] | None = None
    on_page: bool = True


FIRST_TRY = ("share correct", "correct now")


def report(found: ClassResults) -> list[Table]:
    """Every table of the class's results, in the order a teacher reads them."""
    no_score = {"best score": "no score", "latest score": "no score"}
    return [
        Table("problems", "Files set aside", found.problems),
        Table("questions", "Per question", question_summary(found.answers), FIRST_TRY, {"share correct": "#6ea8fe"}),
        Table("learners", "Per learner", learner_summary(found.answers), FIRST_TRY, {"share correct": "#6ea8fe"}),
        Table("objectives", "Per learning objective", objective_mastery(found.answers), ("secure",),
              {"secure": "#75b798"}),
        Table("exam", "Final assessment, per learner", found.exams, ("best score", "latest score"), missing=no_score),
        Table("exam-class", "Final assessment, the class", exam_class_view(found.exams, found.learners)),
        Table("answers", "Every answer", found.answers, missing={"first try": "unknown"}, on_page=False),
    ]


def show(t: Table):
    """A Table as HTML, for a notebook or the dashboard."""
    return table(t.frame, t.name, t.bars, t.percent, t.missing)


# A spreadsheet treats a cell that starts with one of these as a formula: text from a learner's
# file (a name, a file name) could then run in the teacher's spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(t: Table) -> pd.DataFrame:
    """The table's cells as they are exported: a missing value as the text the page shows."""
    frame = t.frame.astype(object)
    for column in frame.columns:
        gap = frame[column].isna()
        frame.loc[gap, column] = (t.missing or {}).get(column, "unknown")
    return frame


def to_csv(t: Table) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, which spreadsheets need to read accents).
    Text that a spreadsheet would take for a formula is written after an apostrophe, as
    spreadsheets themselves do; numbers are written as they are."""
    frame = _cells(t)
    guard = lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v  # noqa: E731
    frame = frame.map(guard).rename(columns=guard)
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_excel(tables: list[Table]) -> bytes:
    """Every table as a sheet of one Excel workbook (.xlsx). Every text is stored as text, never
    as a formula, whatever it starts with; shares are numbers shown as percentages."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(t.name[:31])
        frame = _cells(t)
        for row, values in enumerate([list(frame.columns)] + frame.values.tolist(), start=1):
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                    cell.data_type = "s"  # openpyxl would make "=..." a formula
                else:
                    cell.value = value.item() if hasattr(value, "item") else value
                    if row > 1 and frame.columns[col - 1] in t.percent:
                        cell.number_format = "0%"
                if row == 1:
                    cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame[column]])
            sheet.column_dimensions[get_column_letter(col)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(tables: list[Table], folder: str | Path) -> list[Path]:
    """Write every table as a CSV file and all of them as one Excel workbook into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "class-results.xlsx"]
    written[0].write_bytes(to_excel(tables))
    for t in tables:
        written.append(folder / f"{t.name}.csv")
        written[-1].write_bytes(to_csv(t))
    return written


def table(frame: pd.DataFrame, name: str, bars: dict[str, str] | None = None, percent: tuple[str, ...] = (),
          missing: dict[str, str] | None = None):
    """Show a summary as an HTML table, shares as percentages, with in-cell bars for the columns in
    `bars` (column -> colour), a missing value as "unknown" (or as `missing` says for its column).
    Every cell and label is escaped: the text comes from learners' files and from the course's
    data, and is shown as text, never run as markup. The element ids derive from `name`, so the
    output is the same on every run (the notebooks' saved outputs are checked)."""
    from IPython.display import HTML
    style = (frame.style.hide(axis="index").set_uuid(name)
             .format({c: "{:.0%}" for c in percent}, escape="html", na_rep="unknown", precision=1))
    for column, text in (missing or {}).items():  # a second format() call changes only its subset
        style = style.format("{:.0%}" if column in percent else None, subset=[column], escape="html", na_rep=text)
    style = (style.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
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
    """(learner label, path, contents) for each learner's file, counted as read_folder counts
    them, and the problems with the others."""
    learners, problems = _learners(_folder_entries(folder), anonymise)
    return [(label, Path(folder) / file.name, file.doc) for label, file in learners], problems


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
    """The answers and the problems of `read_lrs`, as load_folder gives them for files."""
    found = read_lrs(url, user, password, anonymise)
    return found.answers, found.problems


def read_lrs(url: str | None = None, user: str | None = None, password: str | None = None,
             anonymise: bool = True) -> ClassResults:
    """The class from its LRS, as read_folder gives it for files (answers: one row per learner
    and question; learners by the name they gave, each counted once across their browsers), with
    the records left out as its problems. Settings default to LRS_URL, LRS_TEACHER_USER,
    LRS_TEACHER_PASSWORD."""
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
        found = read_folder(folder, anonymise=anonymise)
    file_problems = found.problems
    file_problems["file"] = file_problems["file"].map(sources).fillna(file_problems["file"])
    file_problems["fix"] = LRS_FIX
    problems = pd.concat([file_problems, pd.DataFrame(problems, columns=["file", "problem", "fix"])],
                         ignore_index=True)
    return found._replace(problems=problems)
