"""The comparison page for `make bench`: chapter 1's quiz questions shown by jupyterquiz (PyPI,
the `bench` extra) in an executed notebook of a small Jupyter Book 1 with the same theme, built in
a temporary folder. Nothing of it is kept in the course.

    to_jupyterquiz(quiz)  -> jupyterquiz's question list (its JSON format) for a course quiz
    build_site(folder)    -> the built HTML folder; the page is PAGE
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PAGE = "quiz.html"
# jupyterquiz's question types for the course's: one answer, several answers, true or false
TYPES = {"single": "multiple_choice", "truefalse": "multiple_choice", "multiple": "many_choice"}


def to_jupyterquiz(quiz: dict) -> list[dict]:
    """A course quiz (peaceops.data.load_quiz) as jupyterquiz's questions: the same prompts,
    options in the same order, the same keys and the same feedback on every option."""
    return [{"question": q["prompt"], "type": TYPES[q["type"]],
             "answers": [{"answer": o["text"], "correct": o["correct"], "feedback": o["feedback"]}
                         for o in q["options"]]}
            for q in quiz["questions"]]


CONFIG = """\
title: jupyterquiz comparison
author: make bench
only_build_toc_files: true
execute:
  execute_notebooks: force
  timeout: 120
sphinx:
  config:
    html_show_sourcelink: false
"""
TOC = "format: jb-book\nroot: quiz\n"
QUESTIONS = "ch01-quiz.json"


def notebook() -> dict:
    """A notebook page like a chapter's end: a heading, a sentence and the quiz cell, which reads
    the questions from QUESTIONS (a file path: jupyterquiz embeds them in the page)."""
    import nbformat
    cells = [nbformat.v4.new_markdown_cell("# Check your understanding\n\nChapter 1's quiz questions, shown by jupyterquiz."),
             nbformat.v4.new_code_cell(f"from jupyterquiz import display_quiz\ndisplay_quiz({QUESTIONS!r}, shuffle_answers=False)")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def build_site(folder: Path, quiz: dict) -> Path:
    """Build the comparison book in `folder` (executing its notebook) and return its HTML folder."""
    import nbformat
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (folder / "_toc.yml").write_text(TOC, encoding="utf-8")
    (folder / QUESTIONS).write_text(json.dumps(to_jupyterquiz(quiz), indent=1), encoding="utf-8")
    nbformat.write(nbformat.from_dict(notebook()), folder / "quiz.ipynb")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", str(folder), "-W", "-n", "--keep-going"], cwd=folder,
                            capture_output=True, text=True, env={**os.environ})
    site = folder / "_build" / "html"
    if result.returncode != 0 or not (site / PAGE).is_file():
        sys.exit("bench: the jupyterquiz comparison book did not build:\n" + (result.stdout + result.stderr)[-3000:])
    return site
