"""The class on a real JupyterHub (make hub), on 127.0.0.1: three learners log in, start their
servers, pull the course with nbgitpuller's link, run a workbook in a real kernel and answer its
quiz; the teacher loads the class from the hub. Then what goes wrong: a wrong password, a
corrupt results file, a hub that is down, each with a clear message and nothing lost.

One learner does it all in Chromium: the hub's login form, the launch link, JupyterLab, Run All
Cells and the live quiz widget. The two others, at the same time, run the workbook's cells over
the kernel's websocket and answer as the widget's page does (ipywidgets' "update" message,
tests/hubclass.py Kernel.widget_update), which is quicker and shows the saving is the kernel's.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from hubclass import ROOT, TEACHER, ClassHub, HubUser, Kernel, answer_in_jupyterlab, course_repo, launch_link, wait_until

pytestmark = pytest.mark.xdist_group("hub")  # a hub and four servers: never beside another heavy group
LEARNERS = ["alice", "bob", "carol"]
WORKBOOK = "notebooks/ch01-workbook.ipynb"


def answer_quiz(user: HubUser, answers: dict) -> None:
    """Run the pulled workbook's cells in a kernel, then answer the quiz as the page does."""
    notebook = json.loads((user.hub.home(user.name) / "course" / WORKBOOK).read_text(encoding="utf-8"))
    kernel = Kernel(user, f"course/{WORKBOOK}")
    try:
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                kernel.run("".join(cell["source"]))
        kernel.widget_update(kernel.run("print(quiz.model_id)").strip(), {"answers": answers})
        assert kernel.run("print(sorted(quiz.answers))").strip() == repr(sorted(answers))
    finally:
        kernel.close()


def off_the_main_thread(function, *args):
    """Kernel talks through an event loop of its own, which cannot run in the thread where
    Playwright's (the browser fixture's) loop runs."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def options(question: str) -> tuple[str, str]:
    """(a correct option, a wrong option) of a ch01 question, from the course's data."""
    from peaceops import data
    q = next(q for q in data.load_quiz("ch01")["questions"] if q["id"] == question)
    return (next(o["id"] for o in q["options"] if o["correct"]), next(o["id"] for o in q["options"] if not o["correct"]))


# Session scope: a module fixture is set up again whenever pytest-xdist runs another module's
# test between two of these, and the class takes a minute to arrive.
@pytest.fixture(scope="session")
def classroom(tmp_path_factory, browser):
    hub = ClassHub(tmp_path_factory.mktemp("hub"), roster=LEARNERS)
    hub.start()
    try:
        repo = course_repo(hub.folder)
        link = launch_link(hub.url, str(repo), WORKBOOK)
        teacher = HubUser(hub, TEACHER)
        assert teacher.log_in().status_code == 302, "the teacher's first login sets the teacher's password"
        learners = {name: HubUser(hub, name) for name in LEARNERS}
        right, wrong = options("ch01-q01")
        chosen = {"alice": right, "bob": wrong, "carol": right}

        def arrive(user: HubUser):
            assert user.log_in().status_code == 302, f"{user.name}: first login refused"
            user.make_token()
            user.start_server()
            wait_until(f"{user.name}'s server ready", user.server_ready, 240, every=1)

        def through_the_kernel(user: HubUser):
            arrive(user)
            progress = user.pull(link)
            assert (hub.home(user.name) / "course" / WORKBOOK).exists(), progress
            answer_quiz(user, {"ch01-q01": [chosen[user.name]]})
        with ThreadPoolExecutor(len(learners)) as pool:  # the class arrives together
            others = [pool.submit(through_the_kernel, learners[name]) for name in ("bob", "carol")]
            arrive(learners["alice"])
            # Alice, in Chromium (Playwright runs in this thread only): login form, launch link,
            # JupyterLab, Run All, the live quiz widget.
            outside = answer_in_jupyterlab(browser, learners["alice"], link, "ch01", "ch01-q01", chosen["alice"])
            assert not outside, f"JupyterLab asked for other hosts: {outside}"
            for done in others:
                done.result()
        saved = hub.home("alice") / "peaceops-results.json"
        wait_until("alice's answer saved by her kernel", lambda: saved.exists() and chosen["alice"] in saved.read_text(), 60)
        hub.note_processes()
        yield hub, teacher, learners, chosen
    finally:
        hub.stop()


def classroom_module():
    from peaceops import classroom
    return classroom


def pd_isna(value) -> bool:
    import pandas as pd
    return bool(pd.isna(value))


def load(hub, **kwargs):
    return classroom_module().load_hub(hub.url, hub.token, leave_out={TEACHER}, **kwargs)


def test_three_learners_answer_in_their_workbooks_and_the_teacher_loads_the_class(classroom):
    hub, _, learners, chosen = classroom
    for name in LEARNERS:
        saved = json.loads((hub.home(name) / "peaceops-results.json").read_text(encoding="utf-8"))
        assert saved["format"] == "peaceops-results" and saved["version"] == 2 and saved["learner"] == name
        assert saved["quizzes"]["ch01"]["answers"] == {"ch01-q01": [chosen[name]]}
    # Alice answered in the live page, which also sends her first try and attempt count; Bob's and
    # Carol's answers came as bare kernel messages, so their first tries stay unknown, never guessed.
    alice = json.loads((hub.home("alice") / "peaceops-results.json").read_text(encoding="utf-8"))["quizzes"]["ch01"]
    assert alice["first"] == {"ch01-q01": [chosen["alice"]]} and alice["attempts"] == {"ch01-q01": 1}
    found = classroom_module().read_hub(hub.url, hub.token, leave_out={TEACHER}, anonymise=False)
    tries = dict(zip(found.answers["learner"], found.answers["attempts"]))
    assert tries["alice"] == 1 and pd_isna(tries["bob"]) and pd_isna(tries["carol"])
    answers, problems = load(hub, anonymise=False)
    assert problems.empty, problems.to_dict("records")
    assert sorted(answers["learner"]) == LEARNERS
    assert dict(zip(answers["learner"], answers["correct"])) == {"alice": True, "bob": False, "carol": True}
    anonymous, _ = load(hub)
    assert sorted(anonymous["learner"].unique()) == ["Learner 1", "Learner 2", "Learner 3"]


def test_the_class_results_notebook_loads_the_class_in_the_teachers_server(classroom):
    """The notebook's hub cell, run in the teacher's own server, where make hub gives it the hub's
    address and the results token: it reads the three learners (and leaves the teacher out)."""
    hub, teacher, *_ = classroom
    notebook = json.loads((ROOT / "notebooks" / "class-results.ipynb").read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    hub_cell = next(c for c in cells if "classroom.read_hub" in c)
    teacher.make_token()
    teacher.start_server()
    wait_until("the teacher's server ready", teacher.server_ready, 240, every=1)

    def run_the_cell():
        kernel = Kernel(teacher, "")
        try:
            return kernel.run("anonymise = True\n" + hub_cell)
        finally:
            kernel.close()
    assert off_the_main_thread(run_the_cell).startswith(
        "From the hub: 3 learners' files read, 0 entries set aside.")


def test_the_results_token_reads_files_and_can_do_nothing_else(classroom):
    hub, *_ = classroom
    import requests
    auth = {"Authorization": f"token {hub.token}"}
    contents = f"{hub.url}/user/alice/api/contents/peaceops-results.json"
    assert requests.get(contents, headers=auth, timeout=30).status_code == 200
    before = (hub.home("alice") / "peaceops-results.json").read_bytes()
    refused = {
        "write a file": requests.put(contents, headers=auth, timeout=30, json={"type": "file", "format": "text",
                                                                              "content": "{}"}),
        "start a kernel": requests.post(f"{hub.url}/user/alice/api/kernels", headers=auth, timeout=30, json={}),
        "stop a server": requests.delete(f"{hub.url}/hub/api/users/alice/server", headers=auth, timeout=30),
        "make a learner admin": requests.patch(f"{hub.url}/hub/api/users/alice", headers=auth, timeout=30,
                                               json={"admin": True}),
        "make a token for a learner": requests.post(f"{hub.url}/hub/api/users/alice/tokens", headers=auth, timeout=30,
                                                    json={}),
    }
    assert {what: r.status_code for what, r in refused.items()} == {what: 403 for what in refused}
    assert (hub.home("alice") / "peaceops-results.json").read_bytes() == before


def test_a_wrong_password_or_a_name_not_in_the_class_is_refused_and_changes_nothing(classroom):
    hub, _, learners, _ = classroom
    before = (hub.home("alice") / "peaceops-results.json").read_bytes()
    for name, password in (("alice", "not-alices-password"), ("mallory", "a-long-password")):
        attempt = HubUser(hub, name)
        refused = attempt.log_in(password)
        assert refused.status_code == 403 and "Invalid username or password" in refused.text
        assert not attempt.logged_in()
    again = HubUser(hub, "alice", learners["alice"].password)
    assert again.log_in().status_code == 302, "the right password still works after a wrong one"
    assert (hub.home("alice") / "peaceops-results.json").read_bytes() == before


def test_a_corrupt_results_file_is_named_for_the_teacher_and_kept(classroom):
    hub, _, learners, chosen = classroom
    bob_file = hub.home("bob") / "peaceops-results.json"
    bob_file.write_text('{"format": "peaceops-results", "version": 2, "quizz', encoding="utf-8")  # a save cut short
    answers, problems = load(hub, anonymise=False)
    assert sorted(answers["learner"].unique()) == ["alice", "carol"]
    (row,) = problems.to_dict("records")
    assert row["file"] == "bob" and "not valid JSON" in row["problem"] and "answer a quiz" in row["fix"]
    assert bob_file.read_text(encoding="utf-8").endswith('"quizz'), "loading never changes a learner's file"
    # Bob answers again: the unreadable file is set aside, never deleted, and a new one written.
    off_the_main_thread(answer_quiz, learners["bob"], {"ch01-q01": [chosen["bob"]]})
    (aside,) = hub.home("bob").glob("peaceops-results.unreadable-*.json")
    assert aside.read_text(encoding="utf-8").endswith('"quizz')
    answers, problems = load(hub, anonymise=False)
    assert problems.empty and sorted(answers["learner"].unique()) == LEARNERS


def test_a_hub_that_is_down_says_so_and_loses_nothing(classroom):
    hub, *_ = classroom
    saved = {name: (hub.home(name) / "peaceops-results.json").read_bytes() for name in LEARNERS}
    hub.stop()
    from peaceops import classroom as cls
    with pytest.raises(cls.HubError, match=r"is not answering .*Fix: start it \(make hub\)"):
        load(hub)
    assert {name: (hub.home(name) / "peaceops-results.json").read_bytes() for name in LEARNERS} == saved
