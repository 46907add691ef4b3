"""The course's widgets: the chapter quiz, the integration-spectrum explorer, the decision activity,
the discussion questions and the solo simulation.

Each widget is an anywidget whose whole behaviour lives in its JavaScript module
(peaceops/widgets/*.js). That module travels inside the widget's state, so the widget works
the same in JupyterLab, in Voila and in the built book, where no kernel runs. Python supplies
the checked data and reads the learner's choices back as pandas DataFrames.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import anywidget
import traitlets

from . import data

if TYPE_CHECKING:  # pandas loads when a table is asked for (see data.py)
    import pandas as pd

_JS_DIR = Path(__file__).with_name("widgets")


def _module(*parts: str) -> str:
    """A widget's ES module: the shared helpers, then the named parts, the widget's own code last."""
    return "\n".join((_JS_DIR / f"{name}.js").read_text(encoding="utf-8") for name in ("common", *parts))


_CSS = (_JS_DIR / "widgets.css").read_text(encoding="utf-8")


class Quiz(anywidget.AnyWidget):
    """A chapter's quiz, from data/quizzes/<chapter>.yml.

    >>> quiz = Quiz("ch01")      # display it; the learner answers
    >>> quiz.results()           # one row per question: chosen options, correct or not
    """

    _esm = _module("questions", "quiz")
    _css = _CSS
    chapter = traitlets.Unicode().tag(sync=True)
    questions = traitlets.List().tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)  # question id -> chosen option ids (checked answers)
    first = traitlets.Dict().tag(sync=True)    # question id -> the first answer checked
    attempts = traitlets.Dict().tag(sync=True)  # question id -> how many times it was checked
    score = traitlets.Int(0).tag(sync=True)

    def __init__(self, chapter: str, **kwargs):
        quiz = data.load_quiz(chapter)
        super().__init__(chapter=chapter, questions=quiz["questions"], **kwargs)

    def __repr__(self) -> str:  # the text shown where widgets cannot render; stable for nbval
        return f"Quiz({self.chapter!r}): {len(self.questions)} questions, {len(self.answers)} answered"

    def set_state(self, sync_data):
        """State sent by the page: when the learner checked answers, the kernel also saves them in
        the learner's home (classroom.py), where the teacher's class-results notebook can read them
        on a hub. Only the page's changes are saved: code setting `answers` is no learner's work."""
        super().set_state(sync_data)
        if "answers" in sync_data and self.answers:
            from . import classroom
            classroom.save_quiz_answers(self.chapter, self.answers, self.first, self.attempts)

    def results(self) -> pd.DataFrame:
        """The learner's answers: one row per question, with what was chosen and whether it is correct."""
        import pandas as pd
        rows = []
        for q in self.questions:
            chosen = self.answers.get(q["id"])
            rows.append({"question": q["id"], "objective": q["objective"], "answered": chosen is not None,
                         "chosen": ",".join(chosen or []),
                         "correct": chosen is not None and data.is_correct(q, chosen)})
        return pd.DataFrame(rows)


class SpectrumExplorer(anywidget.AnyWidget):
    """The integration-spectrum explorer, from data/spectrum.yml.

    >>> explorer = SpectrumExplorer()
    >>> explorer.stage = 5            # moves the slider in the page
    >>> explorer.current()            # the stage shown, as a dict
    """

    _esm = _module("spectrum")
    _css = _CSS
    note = traitlets.Unicode().tag(sync=True)
    levels = traitlets.List().tag(sync=True)
    stages = traitlets.List().tag(sync=True)
    stage = traitlets.Int(1).tag(sync=True)

    def __init__(self, stage: int = 1, **kwargs):
        spec = data.load_spectrum()
        super().__init__(note=spec["note"], levels=spec["levels"], stages=spec["stages"], stage=stage,
                         **kwargs)

    @traitlets.validate("stage")
    def _valid_stage(self, proposal):
        n = proposal["value"]
        if not 1 <= n <= len(self.stages or [None] * 99):
            raise traitlets.TraitError(f"stage must be between 1 and {len(self.stages)}, not {n}")
        return n

    def __repr__(self) -> str:
        return f"SpectrumExplorer(stage={self.stage}): {self.current()['label']}"

    def current(self) -> dict:
        """The stage the slider is on."""
        return self.stages[self.stage - 1]

    def table(self) -> pd.DataFrame:
        """All stages side by side."""
        return data.spectrum_table()


class Activity(anywidget.AnyWidget):
    """A decision activity, from data/activities/<id>.yml.

    >>> act = Activity("ch01-asymmetric")
    >>> act.choices()      # the learner's current decisions
    >>> act.consequences() # the rules those decisions meet, problems first
    """

    _esm = _module("activity")
    _css = _CSS
    activity = traitlets.Dict().tag(sync=True)
    scenario = traitlets.Unicode().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    feedback = traitlets.List().tag(sync=True)  # ids of the matched rules, as the page shows them

    def __init__(self, activity_id: str, scenario: str | None = None, **kwargs):
        act = data.load_activity(activity_id)
        first = scenario or act["scenarios"][0]["id"]
        start = next(s["start"] for s in act["scenarios"] if s["id"] == first)
        super().__init__(activity=act, scenario=first, values=dict(start), **kwargs)
        self.feedback = [r["id"] for r in data.evaluate_rules(act, first, self.values)]

    def __repr__(self) -> str:
        return f"Activity({self.activity['id']!r}, scenario={self.scenario!r})"

    def choose(self, **values) -> pd.DataFrame:
        """Set decisions from Python (e.g. act.choose(humanitarian=2)) and return the consequences."""
        self.values = {**self.values, **values}
        self.feedback = [r["id"] for r in data.evaluate_rules(self.activity, self.scenario, self.values)]
        return self.consequences()

    def choices(self) -> pd.DataFrame:
        """One row per decision: its label and the value chosen (as the learner reads it)."""
        import pandas as pd
        rows = []
        for d in self.activity["decisions"]:
            v = self.values[d["id"]]
            if d["kind"] == "scale":
                shown = f"{v}: {d['levels'][v - 1]}"
            else:
                labels = {o["id"]: o["label"] for o in d["options"]}
                shown = "; ".join(labels[x] for x in v) if d["kind"] == "multi" else labels[v]
            rows.append({"decision": d["id"], "label": d["label"], "value": v, "shown as": shown})
        return pd.DataFrame(rows)

    def consequences(self) -> pd.DataFrame:
        """The rules the current decisions meet, problems first, as the page lists them."""
        import pandas as pd
        hits = data.evaluate_rules(self.activity, self.scenario, self.values)
        return pd.DataFrame([{"rule": r["id"], "verdict": r["verdict"], "message": r["message"]} for r in hits],
                            columns=["rule", "verdict", "message"])


class Discussion(anywidget.AnyWidget):
    """A chapter's discussion questions (data/discussion/<chapter>.yml): the learner writes an
    answer, then compares it with the points a good answer makes.

    >>> notes = Discussion("ch01")
    >>> notes.results()    # one row per question: the learner's answer, if any
    """

    _esm = _module("discussion")
    _css = _CSS
    chapter = traitlets.Unicode().tag(sync=True)
    questions = traitlets.List().tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)  # question id -> the learner's text, as the page saved it

    def __init__(self, chapter: str, **kwargs):
        super().__init__(chapter=chapter, questions=data.load_discussion(chapter)["questions"], **kwargs)

    def __repr__(self) -> str:
        return f"Discussion({self.chapter!r}): {len(self.questions)} questions"

    def results(self) -> pd.DataFrame:
        import pandas as pd
        return pd.DataFrame([{"question": q["id"], "prompt": q["prompt"], "answer": self.answers.get(q["id"], "")}
                             for q in self.questions], columns=["question", "prompt", "answer"])


class SoloSimulation(anywidget.AnyWidget):
    """A simulation played alone (data/simulation/<id>.yml): the learner takes one role against
    the scripted events, deciding each in turn and reading feedback.

    >>> sim = SoloSimulation("quessara-solo")
    >>> sim.results()      # one row per event: the option chosen and its verdict
    """

    _esm = _module("simulation")
    _css = _CSS
    simulation = traitlets.Dict().tag(sync=True)
    choices = traitlets.Dict().tag(sync=True)  # step id -> chosen option id, as the page saved them

    def __init__(self, simulation_id: str, **kwargs):
        super().__init__(simulation=data.load_solo_simulation(simulation_id), **kwargs)

    def __repr__(self) -> str:
        return f"SoloSimulation({self.simulation['id']!r}): {len(self.simulation['steps'])} events"

    def results(self) -> pd.DataFrame:
        import pandas as pd
        rows = []
        for step in self.simulation["steps"]:
            chosen = next((o for o in step["options"] if o["id"] == self.choices.get(step["id"])), None)
            rows.append({"event": step["id"], "chosen": chosen["id"] if chosen else "",
                         "verdict": chosen["verdict"] if chosen else ""})
        return pd.DataFrame(rows, columns=["event", "chosen", "verdict"])


def _chapter_links(base: str) -> list[dict]:
    """Chapters with the link to each page, relative to where the widget is shown (base)."""
    return [{"id": c["id"], "number": c["number"], "title": c["title"],
             "url": base + c["file"].rsplit("/", 1)[-1] + ".html", "objectives": c["objectives"]}
            for c in data.load_chapters()]


PASS_MARK = 0.75  # the final assessment's pass mark: the exam, the progress page and the certificate use it


def _course_title() -> str:
    """The course's title, from _config.yml (the one place it is written)."""
    return data.read_yaml(data.course_root() / "_config.yml")["title"]


def _page_links(base: str) -> dict:
    """The pages the progress widgets link to, relative to where the widget is shown (base)."""
    return {"exam": base + "exam.html", "certificate": base + "certificate.html", "progress": base + "progress.html"}


class Progress(anywidget.AnyWidget):
    """'My progress': an overview, then quiz scores and secure objectives per chapter, read from
    this browser's saved answers, with export to a JSON file, import (merging) and reset.

    >>> progress = Progress(base="../book/")   # base: path from the page to the chapter pages
    >>> progress.table()                       # the learner's progress as a DataFrame
    """

    _esm = _module("questions", "progress")
    _css = _CSS
    view = traitlets.Unicode("progress").tag(sync=True)   # "progress" or "certificate"
    course = traitlets.Unicode().tag(sync=True)
    links = traitlets.Dict().tag(sync=True)
    chapters = traitlets.List().tag(sync=True)
    exam_bank = traitlets.Dict().tag(sync=True)  # exam question id -> its option ids (to check imports)
    pass_mark = traitlets.Float(PASS_MARK).tag(sync=True)
    summary = traitlets.List().tag(sync=True)  # one row per chapter, as the page computed it

    def __init__(self, base: str = "", **kwargs):
        chapters = _chapter_links(base)
        for ch in chapters:
            ch["questions"] = [{"id": q["id"], "objective": q["objective"],
                                "correct": [o["id"] for o in q["options"] if o["correct"]],
                                "options": [o["id"] for o in q["options"]]}
                               for q in data.load_quiz(ch["id"])["questions"]]
        bank = {q["id"]: [o["id"] for o in q["options"]] for q in data.load_exam()["questions"]}
        super().__init__(chapters=chapters, exam_bank=bank, course=_course_title(), links=_page_links(base), **kwargs)

    def __repr__(self) -> str:
        return f"Progress({len(self.chapters)} chapters)"

    def table(self) -> pd.DataFrame:
        import pandas as pd
        return pd.DataFrame(self.summary, columns=["chapter", "answered", "correct", "questions", "secure"])


class Certificate(Progress):
    """The completion certificate: shown once the final assessment is passed in this browser,
    with the learner's typed name, the date, the score and the chapters completed; self-issued.

    >>> Certificate(base="../book/")
    """

    def __init__(self, base: str = "", **kwargs):
        super().__init__(base=base, view="certificate", **kwargs)

    def __repr__(self) -> str:
        return "Certificate (self-issued, shown in the browser once the final assessment is passed)"


class Exam(anywidget.AnyWidget):
    """The final assessment, drawn from data/exam.yml: per_chapter questions from every chapter,
    a new draw for each attempt (reproducible from its draw number), pass mark 75%.

    >>> exam = Exam(base="../book/")
    >>> exam.score, exam.finished
    """

    _esm = _module("questions", "exam")
    _css = _CSS
    bank = traitlets.List().tag(sync=True)
    chapters = traitlets.List().tag(sync=True)
    per_chapter = traitlets.Int(2).tag(sync=True)
    pass_mark = traitlets.Float(PASS_MARK).tag(sync=True)
    certificate_url = traitlets.Unicode().tag(sync=True)
    seed = traitlets.Int(1).tag(sync=True)
    answers = traitlets.Dict().tag(sync=True)
    finished = traitlets.Bool(False).tag(sync=True)
    score = traitlets.Float(0.0).tag(sync=True)
    check = traitlets.Dict().tag(sync=True)  # empty for the final assessment; see KnowledgeCheck

    def __init__(self, base: str = "", per_chapter: int = 2, **kwargs):
        bank = data.load_exam()["questions"]
        super().__init__(bank=bank, chapters=_chapter_links(base), per_chapter=per_chapter,
                         certificate_url=_page_links(base)["certificate"], **kwargs)

    def __repr__(self) -> str:
        return f"Exam({len(self.bank)} questions in the bank, {self.per_chapter} per chapter per attempt)"


class KnowledgeCheck(Exam):
    """The pre/post knowledge check: the final assessment's widget with the fixed, parallel forms
    of data/knowledge-check.yml instead of a random draw, no pass mark and no new attempt. Saved
    as "check/pre" or "check/post", so it travels in the learner's results file, where
    results.knowledge_check_gain() reads it.

    >>> KnowledgeCheck("pre", base="../book/")
    """

    def __init__(self, stage: str, base: str = "", **kwargs):
        if stage not in ("pre", "post"):
            raise ValueError(f"stage must be 'pre' or 'post', not {stage!r}")
        forms = data.load_knowledge_check()["forms"]
        bank = [q for questions in forms.values() for q in questions]
        check = {"key": f"check/{stage}", "stage": stage, "before": "check/pre" if stage == "post" else None,
                 "forms": {form: [q["id"] for q in questions] for form, questions in forms.items()}}
        anywidget.AnyWidget.__init__(self, bank=bank, chapters=_chapter_links(base), pass_mark=0.0,
                                     check=check, **kwargs)

    def __repr__(self) -> str:
        forms = self.check["forms"]
        return (f"KnowledgeCheck({self.check['stage']!r}): forms {', '.join(forms)} of "
                f"{len(next(iter(forms.values())))} questions each")


class Evaluation(anywidget.AnyWidget):
    """The participant evaluation (data/evaluation.yml): ratings on the printable form's statements
    and scale, and open comments, saved as "evaluation" so that they travel in the learner's results
    file, where results.evaluation_summary() adds them up.

    >>> Evaluation()
    """

    _esm = _module("evaluation")
    _css = _CSS
    form = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(form=data.load_evaluation(), **kwargs)

    def __repr__(self) -> str:
        return f"Evaluation({len(self.form['statements']) + 1} ratings, {len(self.form['comments'])} open questions)"
