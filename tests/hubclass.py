"""A class on a real JupyterHub, driven over HTTP on 127.0.0.1: the hub of `make hub` started in
a temporary folder, learners who sign up, log in, start their server, pull the course with
nbgitpuller and run a workbook in a real kernel. Used by tests/test_hub.py and
benchmarks/hub_load.py; every process started here is stopped by ClassHub.stop()."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
TEACHER = "teacher"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what: str, check, timeout: float, every: float = 0.5):
    """check()'s first true value, or TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


class ClassHub:
    """`make hub` (tools/hub.py) with its state in `folder`, on free loopback ports."""

    def __init__(self, folder: Path, roster: list[str], idle_minutes: int = 60):
        self.folder = Path(folder)
        self.roster = roster
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.folder / "hub.log"
        self.idle_minutes = idle_minutes
        self.proc: subprocess.Popen | None = None
        self.log = None
        self.seen: set[int] = set()  # every process of the class, to be sure each one is stopped

    @property
    def token(self) -> str:
        return (self.folder / "state" / "class-results.token").read_text().strip()

    def home(self, name: str) -> Path:
        return self.folder / "state" / "homes" / name

    def start(self, timeout: float = 90) -> "ClassHub":
        env = dict(os.environ, PEACEOPS_HUB_API_PORT=str(free_port()), PEACEOPS_HUB_PROXY_API_PORT=str(free_port()))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "roster.txt").write_text("\n".join(self.roster) + "\n", encoding="utf-8")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "hub.py"), "--dir", str(self.folder / "state"),
                                      "--port", str(self.port), "--roster", str(self.folder / "roster.txt"), "--idle-minutes", str(self.idle_minutes)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub stopped at once:\n{self.log_text()[-3000:]}")
            try:
                return requests.get(self.url + "/hub/api/", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False
        wait_until("the hub answering", up, timeout)
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def note_processes(self):
        """Remember the hub's processes and the learners' servers (which run in their own sessions)."""
        if self.proc and self.proc.poll() is None:
            try:
                self.seen |= {p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)} | {self.proc.pid}
            except psutil.NoSuchProcess:
                pass

    def stop(self, timeout: float = 60):
        """Stop the hub as Ctrl+C does (it stops the servers and the proxy), then make sure."""
        self.note_processes()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid in self.seen:
            try:
                p = psutil.Process(pid)
                p.kill()
                p.wait(5)
            except psutil.Error:
                pass
        if self.log:
            self.log.close()
            self.log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class HubUser:
    """Someone with a browser's cookies on the hub: logs in (the first login sets the password),
    uses the hub's API."""

    def __init__(self, hub: ClassHub, name: str, password: str | None = None):
        self.hub, self.name = hub, name
        self.password = password or f"{uuid.uuid4().hex[:12]}-pw"
        self.http = requests.Session()
        self.token: str | None = None

    def _xsrf(self, path: str) -> str:
        self.http.get(self.hub.url + path, timeout=30).raise_for_status()
        return self.http.cookies.get("_xsrf", path="/hub/")

    def log_in(self, password: str | None = None) -> requests.Response:
        """The login form: a redirect when it worked; else the login page again, with its message."""
        return self.http.post(self.hub.url + "/hub/login", timeout=60, allow_redirects=False, data={
            "username": self.name, "password": password or self.password, "_xsrf": self._xsrf("/hub/login")})

    def logged_in(self) -> bool:
        return "jupyterhub-hub-login" in {c.name for c in self.http.cookies}

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"} if self.token else {
            "X-XSRFToken": self.http.cookies.get("_xsrf", path="/hub/") or ""}
        return self.http.request(method, self.hub.url + path, headers=headers, timeout=60, **kwargs)

    def make_token(self):
        """An API token for this session's own use (as JupyterLab's hub extension has one)."""
        r = self.api("POST", f"/hub/api/users/{self.name}/tokens", json={"note": "test", "expires_in": 3600})
        r.raise_for_status()
        self.token = r.json()["token"]

    def start_server(self):
        r = self.api("POST", f"/hub/api/users/{self.name}/server")
        assert r.status_code in (201, 202), f"{self.name}: starting the server answered {r.status_code}: {r.text[:300]}"

    def server_ready(self) -> bool:
        model = self.api("GET", f"/hub/api/users/{self.name}").json()
        server = (model.get("servers") or {}).get("")
        return bool(server and server.get("ready"))

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.api(method, f"/user/{self.name}/{path.lstrip('/')}", **kwargs)

    def pull(self, launch_link: str) -> list[str]:
        """Follow an nbgitpuller launch link as the browser does (the hub sends it on to this
        learner's server), then the pull its page starts; returns nbgitpuller's progress lines."""
        page = self.http.get(launch_link, timeout=60)
        assert page.status_code == 200 and "nbgitpuller" in page.text.lower(), (page.status_code, page.url)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query))
        target = query.get("targetPath") or query["repo"].rstrip("/").rsplit("/", 1)[-1]
        api = {"repo": query["repo"], "branch": query.get("branch", ""), "targetpath": target}
        lines = []
        with self.server("GET", "git-pull/api?" + urllib.parse.urlencode(api), stream=True) as r:
            for raw in r.iter_lines(decode_unicode=True):
                if raw and raw.startswith("data:"):
                    event = json.loads(raw[5:])
                    lines.append(event.get("output") or event.get("phase", ""))
                    if event.get("phase") in ("finished", "error"):
                        assert event["phase"] == "finished", "\n".join(lines)
                        break
        return lines


class Kernel:
    """A kernel started in the learner's server, spoken to over its websocket as JupyterLab does."""

    def __init__(self, user: HubUser, notebook: str):
        from tornado.ioloop import IOLoop
        self.user, self.loop = user, IOLoop()  # a loop of our own: the test is synchronous
        r = user.server("POST", "api/sessions", json={"path": notebook, "type": "notebook", "name": "",
                                                     "kernel": {"name": "python3"}})
        r.raise_for_status()
        self.kernel_id = r.json()["kernel"]["id"]
        ws_url = user.hub.url.replace("http", "ws", 1) + f"/user/{user.name}/api/kernels/{self.kernel_id}/channels"
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect
        # JupyterLab waits for a busy server's kernel; tornado's default 20 s would give up first.
        request = HTTPRequest(ws_url, headers={"Authorization": f"token {user.token}"}, connect_timeout=120,
                              request_timeout=120)
        self.ws = self.loop.run_sync(lambda: websocket_connect(request), timeout=60)
        self.session = uuid.uuid4().hex

    def send(self, msg_type: str, content: dict, channel: str = "shell") -> str:
        msg_id = uuid.uuid4().hex
        self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": self.user.name,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def replies(self, msg_id: str, timeout: float):
        """Messages answering msg_id until the kernel is idle again."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"kernel did not finish within {timeout:.0f} s")
            raw = self.loop.run_sync(self.ws.read_message, timeout=left)
            if raw is None:
                raise ConnectionError("the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            yield msg
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return

    def run(self, code: str, timeout: float = 120) -> str:
        """Run code as a notebook cell; its printed output, or AssertionError with the traceback."""
        out = []
        for msg in self.replies(self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                                              "user_expressions": {}, "allow_stdin": False}), timeout):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                raise AssertionError("\n".join(msg["content"]["traceback"]))
        return "".join(out)

    def widget_update(self, model_id: str, state: dict, timeout: float = 60):
        """What the widget's page sends when the learner acts: ipywidgets' 'update' comm message."""
        list(self.replies(self.send("comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": state,
                                                                                "buffer_paths": []}}), timeout))

    def close(self):
        self.ws.close()
        self.user.server("DELETE", f"api/kernels/{self.kernel_id}")
        self.loop.close()


def course_repo(folder: Path) -> Path:
    """The course as a git repository for nbgitpuller to clone (its notebooks), named 'course'."""
    repo = Path(folder) / "course"
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "The course's workbooks"]):
        subprocess.run(git + args, cwd=repo, check=True)
    return repo


def launch_link(hub_url: str, repo: str, notebook: str) -> str:
    """The link a book built with `make build HUB_URL=… COURSE_REPO=…` shows for a workbook
    (tests/test_hub_build.py checks that the built pages carry exactly this link)."""
    from peaceops.sphinxext import hub_launch_url
    return hub_launch_url({"url": hub_url, "repo": repo, "branch": "main"}, notebook)


def answer_in_jupyterlab(browser, user: HubUser, link: str, chapter: str, question: str, option: str,
                         timeout_ms: int = 180_000):
    """The learner's whole path in Chromium: the hub's login form, the book's launch link
    (nbgitpuller's page, then JupyterLab with the workbook), Run All Cells, then the quiz's live
    widget: choose an option and check it. Requests beyond 127.0.0.1 are refused and reported."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    try:
        page.goto(user.hub.url + "/hub/login")
        page.fill("#username_input", user.name)
        page.fill("#password_input", user.password)
        page.click("#login_submit")
        page.wait_for_url("**/user/**")
        page.goto(link)
        page.wait_for_url("**/lab/tree/**")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for()  # Run All before this may run nothing
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        qid = f"po-quiz-{chapter}-{question}"  # the quiz widget's element ids (questions.js)
        page.locator(f"#{qid}-{option}").check()
        page.locator(f"#{qid}-check").click()
        page.locator(f"#{qid}-result").wait_for()  # the widget's verdict; the kernel saves meanwhile
        return outside
    finally:
        context.close()
