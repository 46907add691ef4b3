"""Read the course's data files, check them, and hand them out as dicts or pandas DataFrames.

Every loader validates what it reads. A problem raises :class:`DataError` whose message names
the file, the entry, the field and the fix, for example::

    data/quizzes/ch01.yml: question 'ch01-q03' (questions[2]), option 'b' (options[1]):
    field 'feedback' is missing. Fix: explain in 'feedback' why this option is right or wrong; ...

Loaders only read; they never write or "repair" a file, so bad input loses nothing.
"""
from __future__ import annotations

import contextlib
import copy
import csv
import functools
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

if TYPE_CHECKING:  # pandas loads when a table is asked for: most pages never do
    import pandas as pd

SCHEMA_DIR = Path(__file__).with_name("schemas")
VERDICTS = ("problem", "caution", "good")  # the order feedback is shown in


class DataError(ValueError):
    """A course data file is missing or wrong; the message says where and how to fix it."""


def course_root() -> Path:
    """The folder holding data/ and references.bib: $PEACEOPS_ROOT, or the package's checkout."""
    env = os.environ.get("PEACEOPS_ROOT")
    root = Path(env) if env else Path(__file__).resolve().parent.parent
    if not (root / "data").is_dir():
        raise DataError(
            f"{root}: no data/ folder here. Fix: run from a checkout of the course, "
            "or set PEACEOPS_ROOT to the folder that holds data/ and references.bib."
        )
    return root


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(course_root().resolve()).as_posix()
    except ValueError:
        return str(path)


def fail(path: Path, entry: str, field: str | None, problem: str, fix: str):
    """Raise the course's one error format: file, entry, field, problem, fix. Each part is cut
    short, so that no file, however crafted, can make a message longer than a few lines."""
    where = f"{_rel(path)}: {_cut(entry, 160)}" if entry else _rel(path)
    what = f"field '{_cut(str(field), 60)}' {_cut(problem, 200)}" if field else _cut(problem, 200)
    raise DataError(f"{where}: {what}. Fix: {_cut(fix, 200)}.")


# ---------------------------------------------------------------- reading files safely
# A course file is data written by an author, or by anyone who can send the course a pull
# request: it may be huge, in the wrong encoding, or crafted. Reading it never takes long,
# never runs out of memory, and every problem is reported in the one format of fail().

MAX_FILE_BYTES = 1_000_000   # the largest course file (data/exam.yml) is about 80 kB
MAX_TEXT_CHARS = 5_000       # the longest text in the course is under 900 characters
MAX_DEPTH = 20               # the deepest course file nests 9 levels
MAX_NODES = 25_000           # texts, numbers, lists and mappings in one file; data/exam.yml has about 2,100
SHOWN_CHARS = 60             # how much of a value a message quotes


def _show(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value as a message quotes it: its repr, cut short, so no file can make a long message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


_READERS: list[set] = []  # the sets files_read() is filling


@contextlib.contextmanager
def files_read():
    """Collect the course files read inside the `with` block (the book's widget directives make
    each page depend on the files its widget was made from)."""
    files: set[Path] = set()
    _READERS.append(files)
    try:
        yield files
    finally:
        _READERS.pop()  # blocks nest, so the innermost ends first (remove() would take any equal set)


def kept_while_files_unchanged(loader):
    """A loader whose checked result is kept for as long as the texts of every file it read stay
    the same (a book build asked for chapters.yml 124 times and for each quiz up to eight times,
    and every time parsed, validated and cross-checked it again: a second of a build). A file
    that changes, appears or goes is read and checked again; a loader that failed keeps nothing,
    so it fails again the same way. Callers get their own copy, and files_read() still learns
    every file the result came from."""
    kept: dict[tuple, tuple[dict, Any]] = {}

    @functools.wraps(loader)
    def load(*args):
        key = (str(course_root()), *args)
        if key in kept:
            texts, result = kept[key]
            if all(_text_now(path) == text for path, text in texts.items()):
                for files in _READERS:
                    files.update(texts)
                return copy.deepcopy(result)
        with files_read() as files:
            result = loader(*args)
        kept[key] = ({path: _text_now(path) for path in files}, copy.deepcopy(result))
        return result  # (read_text told every files_read() around this call too)
    return load


def _text_now(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def read_text(path: Path) -> str:
    """A course file's text: at most MAX_FILE_BYTES, UTF-8 (a byte-order mark is accepted)."""
    for files in _READERS:
        files.add(Path(path))
    if not path.is_file():
        fail(path, "", None, "does not exist", f"create {path.name} or correct the name that refers to it")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        fail(path, "", None, f"is {size:,} bytes, more than the {MAX_FILE_BYTES:,} a course data file may have",
             "split the content into smaller files, or remove what does not belong in it")
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        fail(path, "", None, "is UTF-16 or binary, not UTF-8 text",
             "save it as UTF-8 (in most editors: Save as, encoding UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        fail(path, "", None, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line})",
             "save it as UTF-8 (in most editors: Save as, encoding UTF-8)")


if yaml.__with_libyaml__:  # PyYAML's wheels are built with libyaml: its C scanner and parser
    class _EventsComposed(yaml.composer.Composer, yaml.cyaml.CParser):  # (Python scanning: most of a build's reading)
        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
else:
    class _EventsComposed(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


NESTING_FIX = "check the indentation and brackets there; no course file needs that depth"


class CourseYamlLoader(_EventsComposed, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """PyYAML's safe loader, stricter in what a course file needs least and an attacker uses most:
    no anchors or aliases (a few lines of aliases expand to gigabytes), no nesting deeper than
    MAX_DEPTH (PyYAML composes recursively), at most MAX_NODES entries (reading time grows with
    them), no repeated keys (PyYAML keeps the last silently), and only text as keys (`on:` and
    `1:` would become True and 1). Whichever parser reads the text, the composer is PyYAML's
    Python one: it is where those checks are made, event by event."""

    def __init__(self, stream, path: Path):
        _EventsComposed.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.path, self.depth, self.nodes = path, 0, 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            fail(self.path, "", None, f"uses a YAML anchor or alias ('{_cut(event.anchor, 20)}') at line "
                 f"{event.start_mark.line + 1}", "write the text out in full; course files do not use '&' anchors or '*' aliases")
        self.depth, self.nodes = self.depth + 1, self.nodes + 1
        if self.nodes > MAX_NODES:  # PyYAML reads about 20,000 a second: this bounds the time a file takes
            fail(self.path, "", None, f"has more than {MAX_NODES:,} entries (texts, numbers, lists and mappings); "
                 f"the limit was reached at line {event.start_mark.line + 1}",
                 "split the content into smaller files, or remove what does not belong in it")
        if self.depth > MAX_DEPTH:
            fail(self.path, "", None, f"nests more than {MAX_DEPTH} levels deep at line {event.start_mark.line + 1}",
                 NESTING_FIX)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        lines: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                fail(self.path, "", None, f"has the key {_show(key)} at line {line}, which is not text",
                     "put the key in quotes (YAML reads on/off/yes/no as true or false, and digits as numbers)")
            if key in lines:
                fail(self.path, "", None, f"has the key '{_cut(key, SHOWN_CHARS)}' twice in one mapping, at lines "
                     f"{lines[key]} and {line}", "keep one of them: the second would silently replace the first")
            lines[key] = line
        return super().construct_mapping(node, deep=deep)


_PARSED: dict[tuple, Any] = {}  # (path, text) -> the parsed document


def read_yaml(path: Path) -> Any:
    """A course YAML file, parsed strictly. The parsed document is kept for as long as the
    file's text is the same (pure-Python parsing dominated a build: the progress page alone
    reads every quiz, and chapters.yml was parsed a hundred times); each caller gets its own copy."""
    text = read_text(path)
    key = (str(path), text)
    if key not in _PARSED:
        _PARSED[key] = _parse_yaml(path, text)
    return copy.deepcopy(_PARSED[key])


def _parse_yaml(path: Path, text: str) -> Any:
    loader = None
    try:
        loader = CourseYamlLoader(text, path)  # its reader checks the characters
        document = loader.get_single_data()
    except DataError:
        raise
    except (ValueError, OverflowError) as exc:  # a value YAML recognises but cannot build, e.g. 2007-13-45
        fail(path, "", None, f"has a value YAML cannot read ({_cut(str(exc), 100)})",
             "put the value in quotes if it is meant as text, or correct it")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own limit, met while it reads ahead of the composer
            fail(path, "", None, f"nests more than {MAX_DEPTH} levels deep at line {mark.line + 1 if mark else '?'}",
                 NESTING_FIX)
        fail(path, "", None, f"is not valid YAML{at} ({_cut(problem, 100)})",
             "check the indentation and quoting on that line; a text containing ': ' needs quotes or '>-'")
    finally:
        if loader is not None:
            loader.dispose()
    return document


def check_texts(document: Any, schema: dict, path: Path) -> None:
    """Apply check_text to every text of a YAML document, keys too, naming the entry as the schema does."""
    def visit(value: Any, where: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                suspect(key, where, None)
                visit(item, (*where, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, (*where, i))
        elif where and isinstance(where[-1], str):
            suspect(value, where[:-1], where[-1])
        else:
            suspect(value, where, None)

    def suspect(text: Any, where: tuple, field: str | None) -> None:
        if isinstance(text, str) and (len(text) > MAX_TEXT_CHARS or "<" in text):
            check_text(text, path, _describe_entry(document, schema, list(where))[0], field)

    visit(document, ())


def check_text(text: str, path: Path, entry: str, field: str | None) -> None:
    """Every text in a course file is plain text: the widgets show it with textContent, the pages
    as escaped text. So '<' is never markup there; refusing it keeps '</script' and '<!--' out of
    the widget state embedded in the pages (a second guard beside the escaping in sphinxext.py)."""
    if len(text) > MAX_TEXT_CHARS:
        fail(path, entry, field, f"has {len(text):,} characters, more than the {MAX_TEXT_CHARS:,} a text may have",
             "shorten it, or split it into several entries")
    if "<" in text:
        start = max(0, text.index("<") - 15)
        fail(path, entry, field, f"contains '<' ({_show(text[start:start + 40])}); course texts are plain text, never HTML",
             "write it in words ('less than'), or remove the markup: pages and widgets show a text exactly as written")


@functools.lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return yaml.safe_load((SCHEMA_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def _describe_entry(document: Any, schema: dict, path: list) -> tuple[str, dict]:
    """Walk `path` through the document and schema; name each list item passed ("question 'q3' (questions[2])")."""
    parts, node, sub, key = [], document, schema, None
    for step in path:
        if isinstance(step, int):
            entry_name = sub.get("x-entry", "entry")
            item = node[step]
            ident = item.get("id") if isinstance(item, dict) else None
            label = f"{entry_name} '{_cut(str(ident), 40)}'" if ident is not None else entry_name
            parts.append(f"{label} ({key}[{step}])")
            node, sub = item, sub.get("items", {})
        else:
            key = step
            node = node[step]
            sub = sub.get("properties", {}).get(step, {})
    return ", ".join(parts), sub


def validate(document: Any, schema_name: str, path: Path) -> Any:
    """Check `document` against a schema in peaceops/schemas/; raise DataError on the first problem."""
    schema = _schema(schema_name)
    check_texts(document, schema, path)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return document
    err = errors[0]
    path_list = list(err.absolute_path)
    if err.validator == "required":
        missing = err.message.split("'")[1]
        entry, _ = _describe_entry(document, schema, path_list)
        fix = err.schema.get("properties", {}).get(missing, {}).get("x-fix", f"add '{missing}'")
        fail(path, entry, missing, "is missing", fix)
    if err.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", err.message)
        entry, sub = _describe_entry(document, schema, path_list)
        known = ", ".join(sub.get("properties", {})) or "none"
        fail(path, entry, extra[0] if extra else None, "is not a known field",
             f"remove it or correct its spelling (known fields: {known})")
    field = next((p for p in reversed(path_list) if isinstance(p, str)), None)
    entry_path = path_list[:-1] if path_list and isinstance(path_list[-1], str) else path_list
    entry, _ = _describe_entry(document, schema, entry_path)
    value = err.instance if not isinstance(err.instance, (dict, list)) else type(err.instance).__name__
    fix = err.schema.get("x-fix") or _walk_fix(schema, path_list) or "correct the value"
    if document is None or not isinstance(document, dict) and not path_list:
        fail(path, "", None, "is empty or not a mapping of fields", fix)
    fail(path, entry, field, f"has the value {_show(value)}, which is not allowed ({_cut(err.message, 120)})", fix)


def _walk_fix(schema: dict, path: list) -> str | None:
    sub, fix = schema, None
    for step in path:
        sub = sub.get("items", {}) if isinstance(step, int) else sub.get("properties", {}).get(step, {})
        fix = sub.get("x-fix", fix)
    return fix


def check_unique_ids(path: Path, items: list[dict], key: str, what: str, within: str = "") -> None:
    """Ids name things to the widgets, the learners' saved answers and the feedback shown: two
    entries of one list with the same id would be confused, so each id must be unique in its list."""
    seen: set = set()
    for i, item in enumerate(items):
        if item["id"] in seen:
            entry = f"{what} '{item['id']}' ({key}[{i}])"
            fail(path, f"{within}, {entry}" if within else entry, "id", f"repeats an earlier {what}'s id",
                 f"give every {what} its own id")
        seen.add(item["id"])


# ---------------------------------------------------------------- references

def reference_keys() -> frozenset[str]:
    """The citation keys defined in references.bib."""
    path = course_root() / "references.bib"
    text = read_text(path)
    return frozenset(re.findall(r"^@\w+\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE))


def check_source(key: str, path: Path, entry: str, field: str = "source") -> None:
    if key not in reference_keys():
        fail(path, entry, field, f"names the reference '{key}', which references.bib does not define",
             "add a BibTeX entry with that key to references.bib, or use an existing key")


# ---------------------------------------------------------------- chapters

@kept_while_files_unchanged
def load_chapters() -> list[dict]:
    """The chapters in reading order, each with its objectives (data/chapters.yml)."""
    path = course_root() / "data" / "chapters.yml"
    chapters = validate(read_yaml(path), "chapters", path)["chapters"]
    seen: set[str] = set()
    for i, ch in enumerate(chapters):
        entry = f"chapter '{ch['id']}' (chapters[{i}])"
        if ch["id"] in seen:
            fail(path, entry, "id", "repeats an earlier chapter's id", "give every chapter its own id")
        seen.add(ch["id"])
        for j, obj in enumerate(ch["objectives"]):
            if not obj["id"].startswith(ch["id"] + "-"):
                fail(path, f"{entry}, objective '{obj['id']}' (objectives[{j}])", "id",
                     f"does not start with '{ch['id']}-'", "start every objective id with its chapter's id")
            if obj["id"] in seen:
                fail(path, f"{entry}, objective '{obj['id']}' (objectives[{j}])", "id",
                     "repeats an earlier id", "give every objective its own id")
            seen.add(obj["id"])
    return chapters


def chapter(chapter_id: str) -> dict:
    for ch in load_chapters():
        if ch["id"] == chapter_id:
            return ch
    fail(course_root() / "data" / "chapters.yml", "", None, f"has no chapter '{_cut(chapter_id, 40)}'",
         "add it, or use one of: " + ", ".join(c["id"] for c in load_chapters()))


def chapters_table() -> pd.DataFrame:
    """One row per chapter: number, id, title, page, minutes, number of objectives."""
    import pandas as pd
    return pd.DataFrame([{"number": c["number"], "id": c["id"], "title": c["title"], "page": c["file"],
                          "minutes": c["minutes"], "objectives": len(c["objectives"])}
                         for c in load_chapters()])


def objectives_table() -> pd.DataFrame:
    """One row per learning objective: chapter, objective id, text."""
    import pandas as pd
    return pd.DataFrame([{"chapter": c["id"], "objective": o["id"], "text": o["text"]}
                         for c in load_chapters() for o in c["objectives"]])


# ---------------------------------------------------------------- quizzes

@kept_while_files_unchanged
def load_quiz(chapter_id: str) -> dict:
    """A chapter's question bank (data/quizzes/<chapter>.yml), fully checked."""
    path = course_root() / "data" / "quizzes" / f"{chapter_id}.yml"
    quiz = validate(read_yaml(path), "quiz", path)
    if quiz["chapter"] != chapter_id:
        fail(path, "", "chapter", f"is '{quiz['chapter']}' but the file is named {chapter_id}.yml",
             f"set 'chapter: {chapter_id}' or rename the file")
    _check_questions(path, quiz["questions"], {o["id"] for o in chapter(chapter_id)["objectives"]}, chapter_id)
    return quiz


def _check_questions(path: Path, questions: list[dict], objectives: set[str], scope: str) -> None:
    """What the schema cannot say about a question bank: unique ids, known objectives and
    sources, and the right number of correct options for each type."""
    check_unique_ids(path, questions, "questions", "question")
    for i, q in enumerate(questions):
        entry = f"question '{q['id']}' (questions[{i}])"
        if q["objective"] not in objectives:
            fail(path, entry, "objective", f"is '{q['objective']}', which is not an objective of {scope}",
                 "use one of: " + ", ".join(sorted(objectives)))
        check_unique_ids(path, q["options"], "options", "option", entry)
        option_ids = [o["id"] for o in q["options"]]
        n_correct = sum(o["correct"] for o in q["options"])
        if q["type"] == "truefalse" and sorted(option_ids) != ["false", "true"]:
            fail(path, entry, "options", f"has the ids {option_ids}",
                 "give a truefalse question exactly two options, with the ids true and false")
        if q["type"] in ("single", "truefalse") and n_correct != 1:
            fail(path, entry, "options", f"marks {n_correct} options correct",
                 f"mark exactly one option 'correct: true' in a {q['type']} question")
        if q["type"] == "multiple" and n_correct < 1:
            fail(path, entry, "options", "marks no option correct",
                 "mark at least one option 'correct: true' in a multiple question")
        if "source" in q:
            check_source(q["source"], path, entry)


@kept_while_files_unchanged
def load_exam() -> dict:
    """The final assessment's question bank (data/exam.yml); each question gains its `chapter`,
    taken from the objective it tests. No question may repeat a chapter quiz question's id."""
    path = course_root() / "data" / "exam.yml"
    exam = validate(read_yaml(path), "quiz", path)
    if exam["chapter"] != "exam":
        fail(path, "", "chapter", f"is '{exam['chapter']}'", "write 'chapter: exam' in the exam bank")
    owner = {o["id"]: c["id"] for c in load_chapters() for o in c["objectives"]}
    _check_questions(path, exam["questions"], set(owner), "any chapter")
    quiz_ids = {q["id"] for c in load_chapters() for q in load_quiz(c["id"])["questions"]}
    for i, q in enumerate(exam["questions"]):
        if q["id"] in quiz_ids:
            fail(path, f"question '{q['id']}' (questions[{i}])", "id", "is also a chapter quiz question",
                 "write new questions for the exam; the chapter quizzes are for practice")
        q["chapter"] = owner[q["objective"]]
    return exam


def quiz_table(chapter_id: str) -> pd.DataFrame:
    """One row per question: id, type, objective, prompt, number of options, correct option ids."""
    import pandas as pd
    return pd.DataFrame([{"question": q["id"], "type": q["type"], "objective": q["objective"],
                          "prompt": q["prompt"], "options": len(q["options"]),
                          "correct": ",".join(o["id"] for o in q["options"] if o["correct"])}
                         for q in load_quiz(chapter_id)["questions"]])


def is_correct(question: dict, chosen: list[str]) -> bool:
    """A question is answered correctly when exactly the correct options are chosen."""
    return set(chosen) == {o["id"] for o in question["options"] if o["correct"]}


# ---------------------------------------------------------------- spectrum

@kept_while_files_unchanged
def load_spectrum() -> dict:
    """The integration spectrum's stages and levels of coherence (data/spectrum.yml)."""
    path = course_root() / "data" / "spectrum.yml"
    spec = validate(read_yaml(path), "spectrum", path)
    check_unique_ids(path, spec["levels"], "levels", "level")
    check_unique_ids(path, spec["stages"], "stages", "stage")
    level_ids = [lv["id"] for lv in spec["levels"]]
    for i, st in enumerate(spec["stages"]):
        entry = f"stage '{st['id']}' (stages[{i}])"
        if sorted(st["coherence"]) != sorted(level_ids):
            fail(path, entry, "coherence", f"describes the levels {sorted(st['coherence'])}",
                 "describe exactly the levels listed under 'levels': " + ", ".join(level_ids))
        for key in st["sources"]:
            check_source(key, path, entry, "sources")
    for end in (spec["stages"][0], spec["stages"][-1]):
        if end["basis"] != "proceedings":
            fail(path, f"stage '{end['id']}'", "basis", "is not 'proceedings'",
                 "the two ends of the spectrum are the proceedings' own; only intermediate stages are scaffold")
    return spec


def spectrum_table() -> pd.DataFrame:
    """One row per stage: position, label, basis, investment, arrangement."""
    import pandas as pd
    return pd.DataFrame([{"position": i + 1, "stage": s["label"], "basis": s["basis"],
                          "investment": s["investment"]["level"], "arrangement": s["arrangement"]}
                         for i, s in enumerate(load_spectrum()["stages"])])


# ---------------------------------------------------------------- activities

def decision_values(decision: dict) -> list:
    """Every value a decision can take: 1..n for a scale, option ids for a choice; multi: option ids."""
    if decision["kind"] == "scale":
        return list(range(1, len(decision["levels"]) + 1))
    return [o["id"] for o in decision["options"]]


@kept_while_files_unchanged
def load_activity(activity_id: str) -> dict:
    """A decision activity (data/activities/<id>.yml), checked, with `levels: spectrum` filled in."""
    path = course_root() / "data" / "activities" / f"{activity_id}.yml"
    act = validate(read_yaml(path), "activity", path)
    if act["id"] != activity_id:
        fail(path, "", "id", f"is '{act['id']}' but the file is named {activity_id}.yml",
             f"set 'id: {activity_id}' or rename the file")
    chapter(act["chapter"])
    check_unique_ids(path, act["decisions"], "decisions", "decision")
    check_unique_ids(path, act["scenarios"], "scenarios", "scenario")
    decisions = {}
    for i, d in enumerate(act["decisions"]):
        entry = f"decision '{d['id']}' (decisions[{i}])"
        check_unique_ids(path, d.get("options", []), "options", "option", entry)
        if d["kind"] == "scale":
            if "levels" not in d:
                fail(path, entry, "levels", "is missing", "list the scale's level labels, or write 'levels: spectrum'")
            if d["levels"] == "spectrum":
                d["levels"] = [s["label"] for s in load_spectrum()["stages"]]
        elif "options" not in d:
            fail(path, entry, "options", "is missing", f"list the options of this {d['kind']} decision")
        decisions[d["id"]] = d
    for i, sc in enumerate(act["scenarios"]):
        entry = f"scenario '{sc['id']}' (scenarios[{i}])"
        check_unique_ids(path, sc["rules"], "rules", "rule", entry)
        if sc["fictional"] and not sc["title"].startswith("Fictional scenario"):
            fail(path, entry, "title", "does not say the scenario is fictional",
                 "start the title with 'Fictional scenario:' so learners know it is invented")
        for did, d in decisions.items():
            if did not in sc["start"]:
                fail(path, entry, "start", f"has no starting value for '{did}'", "give every decision a starting value")
            _check_value(path, entry, "start", d, sc["start"][did])
        for j, rule in enumerate(sc["rules"]):
            rentry = f"{entry}, rule '{rule['id']}' (rules[{j}])"
            for did, cond in rule["when"].items():
                if did not in decisions:
                    fail(path, rentry, "when", f"names '{did}', which is not a decision of this activity",
                         "use one of: " + ", ".join(decisions))
                _check_condition(path, rentry, decisions[did], cond)
            if "source" in rule:
                check_source(rule["source"], path, rentry)
        _check_coverage(path, entry, decisions, sc["rules"])
    return act


CONDITIONS = {"scale": {"min", "max"}, "choice": {"is", "in"}, "multi": {"includes", "excludes", "min_count", "max_count"}}


def _check_value(path, entry, field, decision, value):
    allowed = decision_values(decision)
    values = value if decision["kind"] == "multi" else [value]
    if decision["kind"] == "multi" and not isinstance(value, list):
        fail(path, entry, field, f"gives '{decision['id']}' the value {_show(value)}", "give a multi decision a list of option ids")
    for v in values:
        if v not in allowed:
            fail(path, entry, field, f"gives '{decision['id']}' the value {_show(v)}",
                 "use one of: " + ", ".join(map(str, allowed)))


def _check_condition(path, entry, decision, cond):
    allowed = CONDITIONS[decision["kind"]]
    if not isinstance(cond, dict) or not cond or set(cond) - allowed:
        fail(path, entry, "when", f"has the condition {_show(cond)} for the {decision['kind']} '{decision['id']}'",
             "use only these keys: " + ", ".join(sorted(allowed)))
    for key, val in cond.items():
        if key in ("is", "includes", "excludes"):
            _check_value(path, entry, "when", {**decision, "kind": "choice"}, val)
        elif key == "in":
            for v in val if isinstance(val, list) else [val]:
                _check_value(path, entry, "when", {**decision, "kind": "choice"}, v)
        elif not isinstance(val, int):
            fail(path, entry, "when", f"has {key}: {_show(val)} for '{decision['id']}'", f"give '{key}' a whole number")


def condition_holds(decision: dict, cond: dict, value) -> bool:
    """Whether one decision's value meets one condition. activity.js holds the same rules for the page;
    tests/test_rules.py checks the two agree on every rule of every activity."""
    if decision["kind"] == "scale":
        return cond.get("min", value) <= value <= cond.get("max", value)
    if decision["kind"] == "choice":
        return value == cond["is"] if "is" in cond else value in cond["in"]
    chosen = set(value)
    return (("includes" not in cond or cond["includes"] in chosen)
            and ("excludes" not in cond or cond["excludes"] not in chosen)
            and cond.get("min_count", 0) <= len(chosen) <= cond.get("max_count", len(chosen)))


def evaluate_rules(activity: dict, scenario_id: str, values: dict) -> list[dict]:
    """The rules of a scenario that the current values meet, problems first, then cautions, then strengths."""
    decisions = {d["id"]: d for d in activity["decisions"]}
    scenario = next(s for s in activity["scenarios"] if s["id"] == scenario_id)
    hits = [r for r in scenario["rules"]
            if all(condition_holds(decisions[d], c, values[d]) for d, c in r["when"].items())]
    return sorted(hits, key=lambda r: VERDICTS.index(r["verdict"]))


def _check_coverage(path, entry, decisions, rules):
    """Every value of every decision must meet at least one rule that names that decision."""
    for did, d in decisions.items():
        naming = [r["when"][did] for r in rules if did in r["when"]]
        if d["kind"] == "multi":  # an option is covered when a rule mentions it, or counts choices
            mentioned = {c.get(k) for c in naming for k in ("includes", "excludes")}
            counts = any("min_count" in c or "max_count" in c for c in naming)
            covered = lambda v: counts or v in mentioned  # noqa: E731
        else:
            covered = lambda v: any(condition_holds(d, c, v) for c in naming)  # noqa: E731
        for v in decision_values(d):
            if not covered(v):
                fail(path, entry, "rules", f"give no feedback when '{did}' is {_show(v)}",
                     "add a rule whose 'when' names this decision and matches that value")


def activities() -> list[str]:
    """The ids of every activity in data/activities/."""
    return sorted(p.stem for p in (course_root() / "data" / "activities").glob("*.yml"))


# ---------------------------------------------------------------- discussion questions

def citation_label(key: str) -> str:
    """A short author-date label for a references.bib key, as the book cites it
    ("Kaspersen and Revheim, n.d."): for widgets, which show plain text, not Sphinx citations."""
    text = read_text(course_root() / "references.bib")
    entry = re.search(r"^@\w+\{\s*" + re.escape(key) + r"\s*,(.*?)^\}", text, flags=re.MULTILINE | re.DOTALL)
    field = lambda name: (re.search(name + r"\s*=\s*\{(.*?)\},?\s*$", entry.group(1), flags=re.MULTILINE)  # noqa: E731
                          if entry else None)
    author, year = field("author"), field("year")
    if not author or not year:
        return key
    names = [a.split(",")[0].strip(" {}") for a in author.group(1).split(" and ")]
    who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else names[0] + " et al."
    return f"{who}, {year.group(1)}"


@kept_while_files_unchanged
def load_discussion(chapter_id: str) -> dict:
    """A chapter's discussion questions and the points a good answer makes
    (data/discussion/<chapter>.yml); each point gains `cite`, its sources as the book cites them."""
    path = course_root() / "data" / "discussion" / f"{chapter_id}.yml"
    disc = validate(read_yaml(path), "discussion", path)
    if disc["chapter"] != chapter_id:
        fail(path, "", "chapter", f"is '{disc['chapter']}' but the file is named {chapter_id}.yml",
             f"set 'chapter: {chapter_id}' or rename the file")
    chapter(chapter_id)
    seen: set[str] = set()
    for i, q in enumerate(disc["questions"]):
        entry = f"question '{q['id']}' (questions[{i}])"
        if q["id"] in seen or not q["id"].startswith(chapter_id + "-"):
            fail(path, entry, "id", "repeats an earlier id or names another chapter",
                 f"give every question its own id starting with '{chapter_id}-d'")
        seen.add(q["id"])
        texts = [("prompt", q["prompt"])] + [(f"points[{j}].text", pt["text"]) for j, pt in enumerate(q["points"])]
        for field_name, value in texts:  # plain text: shown as text, so markup would only confuse
            if "<" in value or "{" in value:
                fail(path, entry, field_name, "contains '<' or '{' (markup or a MyST role)",
                     "write plain text; name a chapter in words and give sources in 'sources'")
        for j, pt in enumerate(q["points"]):
            for key in pt.get("sources", []):
                check_source(key, path, f"{entry}, point {j + 1}", "sources")
            pt["cite"] = "; ".join(citation_label(k) for k in pt.get("sources", []))
    return disc


# ---------------------------------------------------------------- solo simulation

@kept_while_files_unchanged
def load_solo_simulation(sim_id: str) -> dict:
    """A simulation played alone (data/simulation/<id>.yml): one role against scripted events,
    each a decision with feedback on every option; options' sources gain `cite` labels."""
    path = course_root() / "data" / "simulation" / f"{sim_id}.yml"
    sim = validate(read_yaml(path), "simulation", path)
    if sim["id"] != sim_id:
        fail(path, "", "id", f"is '{sim['id']}' but the file is named {sim_id}.yml", f"set 'id: {sim_id}' or rename the file")
    steps: set[str] = set()
    for i, step in enumerate(sim["steps"]):
        entry = f"step '{step['id']}' (steps[{i}])"
        if step["id"] in steps:
            fail(path, entry, "id", "repeats an earlier step's id", "give every step its own id")
        steps.add(step["id"])
        if [o["verdict"] for o in step["options"]].count("good") != 1:
            fail(path, entry, "options", "does not have exactly one option with 'verdict: good'",
                 "mark the one response that fits good practice 'good', the others 'caution' or 'problem'")
        option_ids = [o["id"] for o in step["options"]]
        if len(set(option_ids)) != len(option_ids):
            fail(path, entry, "options", "has two options with the same id", "give every option its own id")
        texts = [step["title"], step["situation"], step.get("private", ""), step["question"], step["lesson"]]
        for j, o in enumerate(step["options"]):
            texts += [o["label"], o["feedback"]]
            for key in o.get("sources", []):
                check_source(key, path, f"{entry}, option '{o['id']}' (options[{j}])", "sources")
            o["cite"] = "; ".join(citation_label(k) for k in o.get("sources", []))
        if any("<" in t or "{" in t for t in texts):
            fail(path, entry, None, "contains '<' or '{' (markup or a MyST role)", "write plain text; give sources in 'sources'")
    return sim


# ---------------------------------------------------------------- tables with sources

def load_table(name: str, required: list[str]) -> pd.DataFrame:
    """A CSV table of facts (data/<name>.csv); every row needs a `source` key found in references.bib."""
    import pandas as pd
    columns, rows = read_table(name, required)
    return pd.DataFrame(rows, columns=columns)


def read_table(name: str, required: list[str]) -> tuple[list[str], list[dict]]:
    """load_table's checked columns and rows, as plain lists: the book's tables and timeline
    need no pandas (importing it cost the build 0.3 s)."""
    path = course_root() / "data" / f"{name}.csv"
    try:
        reader = csv.DictReader(io.StringIO(read_text(path), newline=""), strict=True)  # an unclosed quote is an error
        columns = reader.fieldnames or []
        if len(set(columns)) != len(columns):
            fail(path, "header", None, "names a column twice", "give every column its own name")
        for col in [*required, "source"]:
            if col not in columns:
                fail(path, "header", col, "is missing", f"add a '{col}' column")
        rows = list(reader)
    except csv.Error as exc:
        fail(path, f"row {reader.line_num}", None, f"is not valid CSV ({_cut(str(exc), 100)})",
             "check the quotes on that row: a text containing a comma or a quote needs \"double quotes\" around it")
    for col in columns:
        check_text(col, path, "header", None)
    for i, row in enumerate(rows, start=2):
        entry = f"row {i}"
        if None in row:  # csv lists the cells beyond the header's under None
            fail(path, entry, None, f"has {len(columns) + len(row[None])} cells but the header names {len(columns)} columns",
                 "put \"double quotes\" around any text that contains a comma")
        for col in columns:
            check_text(row[col] or "", path, entry, col)
        for col in [*required, "source"]:
            if not (row.get(col) or "").strip():
                fail(path, entry, col, "is empty", f"fill in '{col}' (every fact needs its source)")
        for key in row["source"].split(";"):
            check_source(key.strip(), path, entry)
    return columns, rows


# ---------------------------------------------------------------- the pre/post knowledge check

CHECK_FORMS = ("A", "B")


@kept_while_files_unchanged
def load_knowledge_check() -> dict:
    """The pre/post knowledge check (data/knowledge-check.yml): {"forms": {"A": [questions],
    "B": [questions]}}, each question from its chapter's quiz bank with its `chapter`, in the
    order of the pairs. Every pair names two different questions that test the same objective,
    and no question is in both forms."""
    path = course_root() / "data" / "knowledge-check.yml"
    doc = read_yaml(path)
    if not isinstance(doc, dict) or doc.get("source") != "quizzes" or not isinstance(doc.get("pairs"), list) or not doc["pairs"]:
        fail(path, "", None, "needs 'source: quizzes' and a list of 'pairs'", "keep the layout described at the top of the file")
    bank = {q["id"]: {**q, "chapter": c["id"]} for c in load_chapters() for q in load_quiz(c["id"])["questions"]}
    forms: dict[str, list[dict]] = {form: [] for form in CHECK_FORMS}
    seen: set[str] = set()
    for i, pair in enumerate(doc["pairs"]):
        entry = f"pairs[{i}]"
        if not isinstance(pair, dict) or set(pair) != set(CHECK_FORMS):
            fail(path, entry, None, "is not of the form {A: <question id>, B: <question id>}", "name one question per form")
        for form in CHECK_FORMS:
            qid = pair[form]
            if not isinstance(qid, str) or qid not in bank:
                fail(path, entry, form, f"is {_show(qid)}, not a question of any chapter quiz",
                     "use an id from data/quizzes/<chapter>.yml")
            if qid in seen:
                fail(path, entry, form, f"repeats '{qid}'", "use each question once, in one form only")
            seen.add(qid)
            forms[form].append(bank[qid])
        if bank[pair["A"]]["objective"] != bank[pair["B"]]["objective"]:
            fail(path, entry, None, f"pairs questions on different objectives ({bank[pair['A']]['objective']}, "
                 f"{bank[pair['B']]['objective']})", "pair two questions that test the same objective")
    return {"forms": forms}


# ---------------------------------------------------------------- the participant evaluation

@kept_while_files_unchanged
def load_evaluation() -> dict:
    """The participant evaluation's statements, scale and open questions (data/evaluation.yml)."""
    path = course_root() / "data" / "evaluation.yml"
    doc = read_yaml(path)
    ok = (isinstance(doc, dict) and isinstance(doc.get("statements"), list) and isinstance(doc.get("comments"), list)
          and isinstance(doc.get("overall"), dict) and isinstance(doc.get("scale"), dict) and isinstance(doc.get("roles"), list))
    if not ok:
        fail(path, "", None, "needs 'scale', 'statements', 'overall', 'roles' and 'comments'",
             "keep the layout described at the top of the file")
    items = [*doc["statements"], doc["overall"]]
    for i, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("text"), str)):
            fail(path, f"statement {i + 1}", None, "needs an 'id' and a 'text'", "write both, as the others are")
    for i, item in enumerate(doc["comments"]):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("prompt"), str)):
            fail(path, f"comments[{i}]", None, "needs an 'id' and a 'prompt'", "write both, as the others are")
    check_unique_ids(path, items, "id", "statement")
    check_unique_ids(path, doc["comments"], "id", "comment question")
    return doc
