"""`make lms-export`: every quiz bank as Moodle XML, GIFT and QTI (text2qti). Each export is read
back, as the LMS would read it, and compared with the course's data: the questions, their types,
the correct options, every option's feedback and the objective. A hostile bank (in memory, never
the course's data) checks that special characters survive each format's escaping.

The GIFT reader follows Moodle's own importer (question/format/gift/format.php: escaped
characters, `::name::`, `[html]`, `{...}`, `=`/`~`/`%weight%`, `#feedback`, `{TRUE#wrong#right}`,
`// [tag:...]`); the QTI reader reads the item XML that Canvas imports.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from peaceops import quizbank

HOSTILE = "A \"quoted\" it's <b>bold</b> & {braces} = ~tilde #hash: colon \\ back $x$ *star* _under_ [l](u) !bang 100% 1. -- > <!-- </script>"


def hostile_bank() -> dict:
    def opt(oid, correct, n):
        return {"id": oid, "text": f"{n}) {HOSTILE} option {oid}", "correct": correct,
                "feedback": f"=Feedback {oid}: {HOSTILE}"}
    return {"id": "hostile", "title": "Hostile: {bank} / with = and ~ and #", "questions": [
        {"id": "h-single", "type": "single", "objective": "obj-1", "prompt": "~Single " + HOSTILE,
         "options": [opt("a", False, 1), opt("b", True, 2), opt("c", False, 3)]},
        {"id": "h-multi", "type": "multiple", "objective": "obj-2", "prompt": "#Multi\n" + HOSTILE,
         "options": [opt("a", True, 1), opt("b", False, 2), opt("c", True, 3), opt("d", True, 4)]},
        {"id": "h-tf-true", "type": "truefalse", "objective": "obj-1", "prompt": "{True} " + HOSTILE,
         "options": [{"id": "true", "text": "True", "correct": True, "feedback": "Right: " + HOSTILE},
                     {"id": "false", "text": "False", "correct": False, "feedback": "Wrong: } { " + HOSTILE}]},
        {"id": "h-tf-false", "type": "truefalse", "objective": "obj-3", "prompt": ":False: " + HOSTILE,
         "options": [{"id": "true", "text": "True", "correct": False, "feedback": "T fb # " + HOSTILE},
                     {"id": "false", "text": "False", "correct": True, "feedback": "F fb = " + HOSTILE}]},
    ]}


def expected(bank: dict) -> list[dict]:
    """What an LMS must end up with, per question: type, options in order, feedback, objective."""
    return [{"id": q["id"], "type": q["type"], "objective": q["objective"], "prompt": q["prompt"],
             "options": [(o["text"] if q["type"] != "truefalse" else o["id"], o["correct"], o["feedback"])
                         for o in (q["options"] if q["type"] != "truefalse" else
                                   sorted(q["options"], key=lambda o: o["id"] != "true"))]}
            for q in bank["questions"]]


def from_html(text: str) -> str:
    return html.unescape(re.sub(r"<br>", "\n", text or ""))


# ---------------------------------------------------------------- readers

def read_moodle(blob: bytes) -> tuple[str, list[dict]]:
    root = ET.fromstring(blob)
    category, questions = None, []
    for q in root.iter("question"):
        if q.get("type") == "category":
            category = q.findtext("category/text")
            continue
        kind = {"truefalse": "truefalse"}.get(q.get("type")) or ("single" if q.findtext("single") == "true" else "multiple")
        options = []
        for a in q.findall("answer"):
            text = a.findtext("text") if kind == "truefalse" else from_html(a.findtext("text"))
            options.append((text, float(a.get("fraction")) > 0, from_html(a.findtext("feedback/text"))))
        if kind == "multiple":   # the fractions of the correct options add up to 100; any wrong one cancels all
            assert sum(float(a.get("fraction")) for a in q.findall("answer") if float(a.get("fraction")) > 0) == pytest.approx(100, abs=0.01)
            assert all(float(a.get("fraction")) == -100 for a in q.findall("answer") if float(a.get("fraction")) <= 0)
        questions.append({"id": q.findtext("name/text"), "type": kind, "objective": q.findtext("tags/tag/text"),
                          "prompt": from_html(q.findtext("questiontext/text")),
                          "options": sorted(options, key=lambda o: o[0] != "true") if kind == "truefalse" else options})
    return category, questions


GIFT_ESCAPES = {"\\:": "\x01058", "\\#": "\x01035", "\\=": "\x01061", "\\{": "\x01123", "\\}": "\x01125", "\\~": "\x01126"}


def gift_pre(text):      # Moodle: escapedchar_pre
    text = text.replace("\\\\", "\x01092")
    for escaped, placeholder in GIFT_ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def gift_post(text):     # Moodle: escapedchar_post, then the [html] text shown as text
    for escaped, placeholder in GIFT_ESCAPES.items():
        text = text.replace(placeholder, escaped[1])
    return from_html(text.replace("\x01092", "\\").strip())


def read_gift(text: str) -> tuple[str, list[dict]]:
    category, questions = None, []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.strip().startswith("//")]
        comments = "\n".join(line for line in block.splitlines() if line.strip().startswith("//"))
        body = gift_pre("\n".join(lines).strip())
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            category = body[10:].strip()
            continue
        assert body.startswith("::")
        name, body = body[2:].split("::", 1)
        start, end = body.index("{"), body.index("}")
        prompt, answers = body[:start].strip(), body[start + 1:end].strip()
        assert prompt.startswith("[html]") and body[end + 1:].strip() == ""
        tag = re.search(r"\[tag:([^\]]+)\]", comments).group(1)
        q = {"id": gift_post(name), "objective": tag, "prompt": gift_post(prompt[6:])}
        if "~" not in answers and "=" not in answers:      # true/false: {TRUE#wrong#right}
            key, wrong, right = answers.split("#", 2)
            key = {"T": "true", "TRUE": "true", "F": "false", "FALSE": "false"}[key.strip()]
            other = "false" if key == "true" else "true"
            fb = {key: gift_post(right), other: gift_post(wrong)}
            q.update(type="truefalse", options=[(k, k == key, fb[k]) for k in ("true", "false")])
        else:
            q["type"] = "single" if "=" in answers else "multiple"
            options = []
            for answer in [a.strip() for a in answers.replace("=", "~=").split("~") if a.strip()]:
                if answer.startswith("="):
                    correct, answer = True, answer[1:]
                elif answer.startswith("%"):
                    weight, answer = answer[1:].split("%", 1)
                    correct = float(weight) > 0
                else:
                    correct = False
                option, feedback = answer.split("#", 1)
                options.append((gift_post(option), correct, gift_post(feedback)))
            q["options"] = options
        questions.append(q)
    return category, questions


QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def read_qti(path) -> tuple[str, list[dict]]:
    with zipfile.ZipFile(path) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".xml") and "/" in n and not n.endswith("assessment_meta.xml")]
        root = ET.fromstring(z.read(name))
    text = lambda el: html.unescape(re.sub(r"<[^>]+>", "", el.findtext(f".//{QTI}mattext") or "")).strip()  # noqa: E731
    questions = []
    for item in root.iter(f"{QTI}item"):
        meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")}
        kind = {"multiple_choice_question": "single", "multiple_answers_question": "multiple",
                "true_false_question": "truefalse"}[meta["question_type"]]
        qid, objective = re.fullmatch(r"(\S+) \(objective (\S+)\)", item.get("title")).groups()
        labels = [(label.get("ident"), text(label)) for label in item.iter(f"{QTI}response_label")]
        condition = [c for c in item.iter(f"{QTI}respcondition") if c.findtext(f"{QTI}setvar") == "100"][0]
        correct = {v.text for v in condition.iter(f"{QTI}varequal")} - {v.text for n in condition.iter(f"{QTI}not") for v in n.iter(f"{QTI}varequal")}
        feedback = {fb.get("ident"): text(fb) for fb in item.iter(f"{QTI}itemfeedback")}
        options = [(t.lower() if kind == "truefalse" else t, ident in correct, feedback[ident + "_fb"]) for ident, t in labels]
        questions.append({"id": qid, "type": kind, "objective": objective,
                          "prompt": text(item.find(f"{QTI}presentation")), "options": options})
    return root.find(f"{QTI}assessment").get("title"), questions


def flat(questions):
    """QTI's Markdown renderer turns a line break into a space: compare such texts flattened."""
    return [{**q, "prompt": " ".join(q["prompt"].split()),
             "options": [(" ".join(t.split()), c, " ".join(f.split())) for t, c, f in q["options"]]} for q in questions]


# ---------------------------------------------------------------- tests

def test_every_course_bank_survives_each_format(tmp_path):
    banks = quizbank.course_banks()
    assert [b["id"] for b in banks][-1] == "exam" and len(banks) == 11
    quizbank.export(banks, tmp_path)
    for bank in banks:
        want = expected(bank)
        category, got = read_moodle((tmp_path / "moodle" / f"{bank['id']}.xml").read_bytes())
        assert category.endswith("/" + bank["title"]) and got == want, f"Moodle XML, {bank['id']}"
        category, got = read_gift((tmp_path / "gift" / f"{bank['id']}.gift.txt").read_text(encoding="utf-8"))
        assert category.endswith("/" + bank["title"]) and got == want, f"GIFT, {bank['id']}"
        title, got = read_qti(tmp_path / "qti" / f"{bank['id']}.zip")
        assert title == bank["title"] and flat(got) == flat(want), f"QTI, {bank['id']}"
    total = sum(len(b["questions"]) for b in banks)
    assert total == sum(len(read_moodle(p.read_bytes())[1]) for p in (tmp_path / "moodle").iterdir())


def test_special_characters_survive_each_format(tmp_path):
    bank = hostile_bank()
    want = expected(bank)
    quizbank.export([bank], tmp_path)
    _, got = read_moodle((tmp_path / "moodle" / "hostile.xml").read_bytes())
    assert got == want
    _, got = read_gift((tmp_path / "gift" / "hostile.gift.txt").read_text(encoding="utf-8"))
    assert got == want
    title, got = read_qti(tmp_path / "qti" / "hostile.zip")
    assert title == bank["title"] and flat(got) == flat(want)
    # and no markup of the bank's own became markup in the exports
    assert "<b>" not in (tmp_path / "gift" / "hostile.gift.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "qti" / "hostile.zip") as z:
        assert not any(b"<b>bold" in z.read(n) or b"<!-- </script>" in z.read(n) for n in z.namelist() if n.endswith(".xml"))


def test_a_broken_bank_stops_the_export_with_the_course_message_and_writes_nothing(tmp_path):
    import shutil
    import subprocess
    import sys
    from conftest import ROOT
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    quiz = tmp_path / "data" / "quizzes" / "ch03.yml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("correct: true", "correct: maybe", 1), encoding="utf-8")
    out = tmp_path / "lms"
    result = subprocess.run([sys.executable, "-m", "peaceops.quizbank", str(out)], capture_output=True, text=True,
                            cwd=ROOT, env={**__import__("os").environ, "PEACEOPS_ROOT": str(tmp_path)}, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "data/quizzes/ch03.yml" in result.stderr and "Fix:" in result.stderr
    assert not out.exists()
