"""Quiz banks for LMS quiz engines (`make lms-export`): every chapter quiz and the final-assessment
bank, from the same data files as the widgets, written as

- Moodle XML (`moodle/<bank>.xml`): the bank as a question category, each objective as a tag;
- GIFT (`gift/<bank>.gift.txt`, Moodle's text format): `$CATEGORY:` per bank, the objective as a
  `// [tag:...]` comment, which Moodle's GIFT importer reads as a tag;
- Canvas-compatible QTI 1.2 (`qti/<bank>.zip`), made by text2qti (optional: `pip install
  -e .[lms]`); the objective is in each question's title, as QTI quizzes have no tags.

Types map as the course marks them: single -> one-answer multiple choice; truefalse -> true/false;
multiple ("select all that apply", right only when exactly the correct options are chosen) ->
multiple answers, each correct option worth an equal share and each wrong one -100%, so that any
wrong choice scores 0. LMSs give part marks for choosing only some of the correct options, which
the course does not (README, "For teachers: your LMS or LRS"). Every option keeps its feedback.

Texts are plain text in the course; each writer escapes them for its format (XML, GIFT's
backslashes, Markdown and HTML for text2qti), so `<`, `&`, `{`, `}`, `=`, `~`, `#`, `:` arrive as
written. Usage: python -m peaceops.quizbank [OUT]   (default _build/lms)
"""
from __future__ import annotations

import html
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from peaceops import data

COURSE = "Multidimensional and Integrated Peace Operations"
FORMATS = ("moodle", "gift", "qti")


def course_banks() -> list[dict]:
    """Every bank the course has: one per chapter quiz, then the final assessment's."""
    banks = [{"id": ch["id"], "title": f"Chapter {ch['number']}: {ch['title']}",
              "questions": data.load_quiz(ch["id"])["questions"]} for ch in data.load_chapters()]
    banks.append({"id": "exam", "title": "Final assessment", "questions": data.load_exam()["questions"]})
    return banks


def correct_ids(q: dict) -> list[str]:
    return [o["id"] for o in q["options"] if o["correct"]]


def share(q: dict) -> str:
    """Each correct option's share of a multiple-answer question, as LMSs write percentages."""
    return f"{100 / len(correct_ids(q)):.5f}".rstrip("0").rstrip(".")


def _html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br>")


# ---------------------------------------------------------------- Moodle XML

def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def moodle_xml(bank: dict, course: str = COURSE) -> bytes:
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    # Moodle splits a category path at "/": a "/" inside a name is written "//".
    _text(category, "category", "$course$/top/" + "/".join(p.replace("/", "//") for p in (course, bank["title"])), None)
    for q in bank["questions"]:
        kind = "truefalse" if q["type"] == "truefalse" else "multichoice"
        el = ET.SubElement(quiz, "question", {"type": kind})
        _text(el, "name", q["id"], None)
        _text(el, "questiontext", _html(q["prompt"]))
        _text(el, "generalfeedback", "")
        ET.SubElement(el, "defaultgrade").text = "1"
        ET.SubElement(el, "penalty").text = "0"
        ET.SubElement(el, "hidden").text = "0"
        ET.SubElement(el, "idnumber").text = q["id"]
        if kind == "multichoice":
            ET.SubElement(el, "single").text = "false" if q["type"] == "multiple" else "true"
            # Moodle shuffles all options or none: an option whose place matters keeps them all in order.
            ET.SubElement(el, "shuffleanswers").text = "false" if any(o.get("fixed") for o in q["options"]) else "true"
            ET.SubElement(el, "answernumbering").text = "abc"
        for o in q["options"]:
            if q["type"] == "multiple":
                fraction = share(q) if o["correct"] else "-100"
            else:
                fraction = "100" if o["correct"] else "0"
            answer = _text(el, "answer", o["id"] if kind == "truefalse" else _html(o["text"]),
                           "moodle_auto_format" if kind == "truefalse" else "html")
            answer.set("fraction", fraction)
            _text(answer, "feedback", _html(o["feedback"]))
        tags = ET.SubElement(el, "tags")
        _text(tags, "tag", q["objective"], None)
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"


# ---------------------------------------------------------------- GIFT

GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")


def gift_escape(text: str) -> str:
    """Plain text for a GIFT [html] field: HTML-escaped, then GIFT's own characters backslashed.
    "%" becomes an HTML entity: at the start of an answer GIFT would read it as a weight."""
    return GIFT_SPECIAL.sub(r"\\\1", _html(text).replace("%", "&#37;"))


def gift(bank: dict, course: str = COURSE) -> str:
    out = [f"// {bank['title']}: exported from the course's data by `make lms-export`.",
           "", f"$CATEGORY: $course$/top/{course.replace('/', '//')}/{bank['title'].replace('/', '//')}", ""]
    for q in bank["questions"]:
        out.append(f"// [id:{q['id']}] [tag:{q['objective']}]")
        head = f"::{gift_escape(q['id'])}::[html]{gift_escape(q['prompt'])} {{"
        if q["type"] == "truefalse":
            fb = {o["id"]: gift_escape(o["feedback"]) for o in q["options"]}
            key = correct_ids(q)[0]
            wrong = "false" if key == "true" else "true"
            # {TRUE#feedback when answered wrongly#feedback when answered rightly}
            out.append(f"{head}{key.upper()}#{fb[wrong]}#{fb[key]}}}")
        else:
            lines = [head]
            for o in q["options"]:
                if q["type"] == "single":
                    mark = "=" if o["correct"] else "~"
                else:
                    mark = f"~%{share(q)}%" if o["correct"] else "~%-100%"
                lines.append(f"\t{mark}{gift_escape(o['text'])}#{gift_escape(o['feedback'])}")
            lines.append("}")
            out.append("\n".join(lines))
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- QTI (via text2qti)

# Characters python-markdown (text2qti's renderer) gives a meaning and lets a backslash cancel; "<"
# and "&" are written as HTML entities instead, and "$" (text2qti's LaTeX) is backslashed too.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!$])")


def markdown_escape(text: str) -> str:
    """Plain text for text2qti: Markdown's characters backslashed, and quotes as entities, which
    text2qti's typographer would otherwise curl. A line break becomes a space (QTI shows one)."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    return escaped.replace('"', "&quot;").replace("'", "&#39;").replace("\n", " ")


def qti_text(bank: dict) -> str:
    """The bank in text2qti's plain-text quiz format."""
    out = [f"Quiz title: {bank['title']}",   # text2qti takes the title as it is (not Markdown)
           f"Quiz description: {markdown_escape('Exported from the course ' + COURSE + ' by make lms-export.')}", ""]
    for n, q in enumerate(bank["questions"], 1):
        out.append(f"Title: {q['id']} (objective {q['objective']})")
        out.append(f"{n}.  {markdown_escape(q['prompt'])}")
        if q["type"] == "truefalse":
            options = sorted(q["options"], key=lambda o: o["id"] != "true")     # True, then False
            for letter, o in zip("ab", options):
                out.append(f"{'*' if o['correct'] else ''}{letter}) {o['id'].capitalize()}")
                out.append(f"... {markdown_escape(o['feedback'])}")
        else:
            for letter, o in zip("abcdefghij", q["options"]):
                if q["type"] == "single":
                    mark = f"{'*' if o['correct'] else ''}{letter})"
                else:
                    mark = "[*]" if o["correct"] else "[ ]"
                out.append(f"{mark} {markdown_escape(o['text'])}")
                out.append(f"... {markdown_escape(o['feedback'])}")
        out.append("")
    return "\n".join(out)


def qti_zip(bank: dict, target: Path) -> None:
    try:
        from text2qti.config import Config
        from text2qti.qti import QTI
        from text2qti.quiz import Quiz
    except ImportError:
        raise SystemExit("make lms-export: QTI needs text2qti. Fix: .venv/bin/pip install -e '.[lms]' "
                         "(Moodle XML and GIFT were written).")
    quiz = Quiz(qti_text(bank), config=Config(), source_name=f"<{bank['id']}>")
    QTI(quiz).save(target)


# ---------------------------------------------------------------- all banks

def export(banks: list[dict], out: Path, formats=FORMATS) -> list[Path]:
    written = []
    for fmt in formats:
        (out / fmt).mkdir(parents=True, exist_ok=True)
    for bank in banks:
        if "moodle" in formats:
            written.append(out / "moodle" / f"{bank['id']}.xml")
            written[-1].write_bytes(moodle_xml(bank))
        if "gift" in formats:
            written.append(out / "gift" / f"{bank['id']}.gift.txt")
            written[-1].write_text(gift(bank), encoding="utf-8")
    if "qti" in formats:   # last: the only format that needs an optional package
        for bank in banks:
            written.append(out / "qti" / f"{bank['id']}.zip")
            qti_zip(bank, written[-1])
    return written


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path("_build") / "lms"
    try:
        banks = course_banks()
    except data.DataError as error:
        raise SystemExit(f"make lms-export: {error}")
    written = export(banks, out)
    questions = sum(len(b["questions"]) for b in banks)
    print(f"{len(banks)} banks, {questions} questions, {len(written)} files in {out}/ (moodle, gift, qti)")


if __name__ == "__main__":
    main(sys.argv)
