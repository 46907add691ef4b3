#!/usr/bin/env python3
"""Write a chapter's workbook, notebooks/<chapter>-workbook.ipynb, from the course data, and run
it so that its saved outputs are current (nbval checks them).

    .venv/bin/python tools/make_workbook.py ch03          # one chapter
    .venv/bin/python tools/make_workbook.py --all         # every chapter in data/chapters.yml

A workbook holds the chapter's widgets (the spectrum explorer if the chapter page shows it, each
of the chapter's activities, its quiz) with the pandas views a teacher uses. Its words come from
data/chapters.yml and the activity files, so it needs no editing when they change; re-run this.
"""
import subprocess
import sys
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from peaceops import data  # noqa: E402

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell


def workbook(chapter_id: str) -> nbf.NotebookNode:
    ch = data.chapter(chapter_id)
    page = (ROOT / f"{ch['file']}.md").read_text(encoding="utf-8")
    activities = [a for a in data.activities() if data.load_activity(a)["chapter"] == chapter_id]
    cells = [
        md(f"# Chapter {ch['number']} workbook: {ch['title']}\n\n"
           f"This notebook goes with {{ref}}`chapter {ch['number']} <{chapter_id}>`. It holds the chapter's interactive "
           "parts and shows your choices as pandas tables. In the book it works as it is; in JupyterLab "
           "(`make lab`), run the cells from the top (**Run > Run All Cells**).\n\n"
           "The widgets come from the course's package, `peaceops`; everything they show comes from the course's "
           "data files in `data/`."),
        code("from peaceops import Activity, Quiz, SpectrumExplorer\nfrom peaceops import data"),
    ]
    section = 1
    if "```{spectrum}" in page:
        cells += [
            md(f"## {section}. The integration spectrum\n\nMove the slider (or press the arrow keys once it has focus). "
               "The two ends of the scale come from the proceedings; the three stages between them are the course's "
               "own teaching scaffold."),
            code("explorer = SpectrumExplorer()\nexplorer"),
            md("In a live kernel you can read the slider's position from Python, or set it: try `explorer.stage = 5`."),
            code('explorer.current()["label"]'),
            md("All the stages side by side, as a pandas table:"),
            code('explorer.table()[["position", "stage", "basis", "investment"]]'),
        ]
        section += 1
    for activity_id in activities:
        act = data.load_activity(activity_id)
        name = activity_id.replace("-", "_").split("_", 1)[1]
        first = act["decisions"][0]
        example = (len(first["levels"]) if first["kind"] == "scale" else
                   [first["options"][-1]["id"]] if first["kind"] == "multi" else first["options"][-1]["id"])
        cells += [
            md(f"## {section}. {act['title']}\n\n{act['instructions']}"),
            code(f'{name} = Activity("{activity_id}")\n{name}'),
            md("Your current decisions, and the consequences they trigger, as tables. After you change the decisions "
               "above, run these two cells again."),
            code(f'{name}.choices()[["label", "shown as"]]'),
            code(f'{name}.consequences()[["verdict", "rule"]]'),
            md(f"You can also decide from Python. What happens if you set *{first['label']}* differently?"),
            code(f'{name}.choose(**{{"{first["id"]}": {example!r}}})[["verdict", "rule"]]'),
        ]
        section += 1
    cells += [
        md(f"## {section}. Check your understanding\n\nThe same quiz as at the end of the chapter. Answers given in the "
           "book and here are shared when both are opened from the same address."),
        code(f'quiz = Quiz("{chapter_id}")\nquiz'),
        md("Your results so far, one row per question (run again after answering):"),
        code('quiz.results()[["question", "objective", "answered", "correct"]]'),
        md(f"## {section + 1}. For teachers: the learning objectives\n\n"
           "Each question tests one of the chapter's learning objectives. This table counts the questions per objective."),
        code(f'questions = data.quiz_table("{chapter_id}")\n'
             f'objectives = data.objectives_table().query("chapter == \'{chapter_id}\'")\n'
             'objectives.merge(questions.groupby("objective").size().rename("questions").reset_index(),\n'
             '                 on="objective", how="left")[["objective", "questions", "text"]]'),
    ]
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main(argv: list[str]) -> int:
    chapters = [c["id"] for c in data.load_chapters()] if argv == ["--all"] else argv
    if not chapters:
        print(__doc__)
        return 2
    for chapter_id in chapters:
        path = ROOT / "notebooks" / f"{chapter_id}-workbook.ipynb"
        nbf.write(workbook(chapter_id), path)
        # Run it and keep its outputs (without widget state: the book embeds its own).
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                        "--ExecutePreprocessor.store_widget_state=False", str(path)], check=True,
                       capture_output=True)
        print(f"wrote and ran {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
