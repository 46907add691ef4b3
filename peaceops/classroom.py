"""The course on a JupyterHub: a learner's answers saved in their home, and the whole class
loaded from the hub for the teacher, with no file emailed.

Learner's side: when a learner answers a quiz in a live widget (JupyterLab, Voila, a hub), the
kernel saves the answers to `~/peaceops-results.json`, in the results format of "My progress"
(version 2). PEACEOPS_RESULTS_FILE names another file; set to "" it turns saving off.

Teacher's side:

    from peaceops import classroom
    answers, problems = classroom.load_hub()   # on the hub: PEACEOPS_HUB_URL, PEACEOPS_RESULTS_TOKEN

gives the same tables as `results.load_folder`, with the same checks and messages, one row of
`problems` per learner whose results could not be used (file = the learner's hub name).
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from datetime import datetime, timezone
from pathlib import Path

from . import results

RESULTS_NAME = "peaceops-results.json"
MAX_SAVED_BYTES = 2**20  # a whole course's answers are a few kilobytes; results.MAX_FILE_BYTES is 10 MB


# --- The learner's side: the kernel keeps the answers in the learner's home -----------------

def results_file() -> Path | None:
    """Where this kernel saves the learner's answers, or None when saving is off."""
    chosen = os.environ.get("PEACEOPS_RESULTS_FILE")
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    return Path.home() / RESULTS_NAME


@contextlib.contextmanager
def _locked(path: Path):
    """One writer at a time (two notebooks open at once are two kernels)."""
    try:
        import fcntl
    except ImportError:  # Windows: one kernel at a time is the common case there
        yield
        return
    with open(path.with_name("." + path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save_quiz_answers(chapter: str, answers: dict, first: dict | None = None,
                      attempts: dict | None = None) -> Path | None:
    """Merge one chapter's checked answers (and, as the page keeps them, each question's first
    answer and number of attempts) into the learner's results file and write it atomically. What is already there is kept; a file that is not a usable results file is set
    aside (renamed, never deleted) with a warning; answers that do not fit the course are not
    written. Returns the file written, or None."""
    path = results_file()
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _merge_and_write(path, chapter, answers, first or {}, attempts or {})
    except OSError as exc:  # a full disk or a read-only home: the page keeps the answers all the same
        warnings.warn(f"Your answers to {chapter} could not be saved to {path} ({exc.strerror or exc}); "
                      "they are still saved in this browser.", stacklevel=2)
        return None


def _merge_and_write(path: Path, chapter: str, answers: dict, first: dict, attempts: dict) -> Path | None:
    questions = results._questions()
    with _locked(path):
        doc = None
        if path.exists():
            doc, reason = results.check_file(path, questions)
            if reason is not None:
                aside = path.with_name(f"{path.stem}.unreadable-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}{path.suffix}")
                os.replace(path, aside)
                warnings.warn(f"{path} could not be used ({reason}) It is kept as {aside.name}; "
                              "your answers are saved in a new file.", stacklevel=2)
                doc = None
        doc = doc or {"format": results.FORMAT, "version": 2, "learner": None, "quizzes": {}, "saved": {}}
        doc = {**doc, "version": 2, "saved": doc.get("saved") or {},
               "exported": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
               "learner": os.environ.get("JUPYTERHUB_USER") or doc.get("learner"),
               "quizzes": {**doc["quizzes"], chapter: {
                   "answers": {q: list(a) for q, a in answers.items()},
                   # the page's own record, so that class results count first tries on a hub too
                   **({"first": {q: list(a) for q, a in first.items()}} if first else {}),
                   **({"attempts": dict(attempts)} if attempts else {})}}}
        content = json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")
        if len(content) > MAX_SAVED_BYTES:
            warnings.warn(f"Your answers were not saved to {path}: the file would be larger than "
                          f"{MAX_SAVED_BYTES // 2**10} KB, far more than this course writes.", stacklevel=2)
            return None
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix="." + path.name, delete=False) as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        _, reason = results.check_file(Path(tmp.name), questions)
        if reason is not None:  # e.g. an answer sent by a tampered page: keep the old file
            os.unlink(tmp.name)
            warnings.warn(f"Your answers to {chapter} were not saved to {path}: {reason}", stacklevel=2)
            return None
        os.replace(tmp.name, path)
    return path


# --- The teacher's side: the class, from the hub ---------------------------------------------

class HubError(RuntimeError):
    """The hub could not be asked at all (down, wrong address, token refused): a message that
    says what to do."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect means "log in" or "start the server"
        return None


def _get(url: str, token: str, limit: int, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}", "Accept": "application/json"})
    with urllib.request.build_opener(_NoRedirects).open(request, timeout=timeout) as response:
        content = response.read(limit + 1)
    if len(content) > limit:
        raise results._Unusable(f"larger than {limit // 2**20} MB, so it is not read")
    return content


def _learners(hub: str, token: str, timeout: float) -> list[str]:
    names, offset = [], 0
    for _ in range(1000):  # pages of 200: a class of up to 200,000, then stop
        url = f"{hub}/hub/api/users?" + urllib.parse.urlencode({"offset": offset, "limit": 200})
        try:
            page = json.loads(_get(url, token, 50 * 2**20, timeout))
        except urllib.error.HTTPError as exc:
            if exc.code == 403:
                raise HubError(f"The hub at {hub} refused the token (403). Fix: use the class-results service's token "
                               "(make hub writes it to _hub/class-results.token); it needs the scope list:users.")
            raise HubError(f"The hub at {hub} answered {exc.code} to the list of users. Fix: check the address "
                           "(it is the hub's, such as http://127.0.0.1:8000).")
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise HubError(f"The hub at {hub} is not answering ({reason}). Fix: start it (make hub) or check "
                           "the address; no results were changed.")
        except ValueError:
            raise HubError(f"{hub} did not answer as a JupyterHub does. Fix: check the address.")
        items = page["items"] if isinstance(page, dict) else page
        names += [u["name"] for u in items if isinstance(u, dict) and isinstance(u.get("name"), str)]
        if len(items) < 200:
            return names
        offset += len(items)
    return names


def _fetch(hub: str, token: str, name: str, timeout: float) -> bytes:
    """The bytes of one learner's results file, or _Unusable saying why not."""
    user = urllib.parse.quote(name, safe="")
    url = f"{hub}/user/{user}/api/contents/{RESULTS_NAME}?" + urllib.parse.urlencode({"content": 1, "format": "text"})
    try:
        model = json.loads(_get(url, token, 3 * results.MAX_FILE_BYTES, timeout))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise results._Unusable("no results saved yet (no quiz answered in a workbook on the hub)",
                                    "nothing to do: the learner's answers appear once they check one")
        if 300 <= exc.code < 400 or exc.code in (424, 503):
            raise results._Unusable("the learner's server is not running, so their file cannot be read",
                                    "ask the learner to log in (or start their server from the hub's admin page), "
                                    "then load the class again")
        if exc.code == 403:
            raise results._Unusable("the hub refused to let the token read this learner's files (403)",
                                    "use the class-results service's token, which may read files "
                                    "(scope custom:jupyter_server:read:contents)")
        raise results._Unusable(f"the learner's server answered {exc.code}", "load the class again in a minute")
    except (urllib.error.URLError, OSError) as exc:
        raise results._Unusable(f"the learner's server did not answer ({getattr(exc, 'reason', exc)})",
                                "load the class again in a minute")
    except ValueError:
        raise results._Unusable("the learner's server did not answer as Jupyter does", "load the class again")
    if not isinstance(model, dict) or not isinstance(model.get("content"), str):
        raise results._Unusable(f"'{RESULTS_NAME}' in the learner's home is not a file", results.DOWNLOAD_AGAIN)
    return model["content"].encode("utf-8")


def load_hub(hub_url: str | None = None, token: str | None = None, anonymise: bool = True,
             leave_out: set[str] | None = None, timeout: float = 20) -> tuple:
    """The answers and the problems of `read_hub`, as `results.load_folder` gives a folder's."""
    found = read_hub(hub_url, token, anonymise, leave_out, timeout)
    return found.answers, found.problems


def read_hub(hub_url: str | None = None, token: str | None = None, anonymise: bool = True,
             leave_out: set[str] | None = None, timeout: float = 20) -> "results.ClassResults":
    """Every learner's results file, read through the hub (the learners' servers must be
    running), as `results.read_folder` gives a folder's. Each file passes
    the same checks; its learner is the hub's user name, whatever the file says.
    `leave_out`: user names not in the class (default: whoever runs this, the teacher, on the hub).
    Raises HubError when the hub cannot be asked at all."""
    if leave_out is None:
        leave_out = {os.environ["JUPYTERHUB_USER"]} if os.environ.get("JUPYTERHUB_USER") else set()
    hub = (hub_url or os.environ.get("PEACEOPS_HUB_URL") or "").rstrip("/")
    token = token or os.environ.get("PEACEOPS_RESULTS_TOKEN")
    if not hub or not token:
        raise HubError("No hub given. Fix: pass hub_url and token, or open the notebook in the teacher's server "
                       "on the class hub (make hub sets PEACEOPS_HUB_URL and PEACEOPS_RESULTS_TOKEN there).")
    questions = results._questions()
    problems = []
    with tempfile.TemporaryDirectory(prefix="peaceops-hub-") as tmp:
        fetched, checked = Path(tmp, "fetched"), Path(tmp, "checked")
        fetched.mkdir()
        checked.mkdir()
        for number, name in enumerate(sorted(set(_learners(hub, token, timeout)) - leave_out), start=1):
            shown = results.plain(name, 80)
            try:
                (fetched / "file.json").write_bytes(_fetch(hub, token, name, timeout))
            except results._Unusable as exc:
                problems.append({"file": shown, **exc.reason._asdict()})
                continue
            doc, reason = results.check_file(fetched / "file.json", questions)
            if reason is not None:
                problems.append({"file": shown, "problem": f"'{RESULTS_NAME}' is {reason.problem}"
                                 if reason.problem.startswith("not") else reason.problem,
                                 "fix": reason.fix.replace("download it again from 'My progress'",
                                                           "answer a quiz in a workbook again (the course then writes a new file)")})
                continue
            # The hub says who this is: a name typed into the file cannot stand for another learner.
            (checked / f"{number:06d}.json").write_text(json.dumps({**doc, "learner": name}), encoding="utf-8")
        found = results.read_folder(checked, anonymise=anonymise)
    import pandas as pd
    return found._replace(problems=pd.DataFrame(problems + found.problems.to_dict("records"),
                                                columns=["file", "problem", "fix"]))
