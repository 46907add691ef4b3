"""Shared fixtures: the built book, a local web server for it, and a watched Chromium page.

The book is built once per test run, strictly (warnings are errors), exactly as `make build`
does. Browser tests drive Debian's Chromium through Playwright against 127.0.0.1 only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
from serve import make_server  # noqa: E402  (tools/serve.py, the server of `make serve`)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Console errors that come from third-party code, are harmless, and cannot be fixed from the
# course: the one place where they are tolerated, each with its reason.
TOLERATED_CONSOLE_ERRORS: dict[str, str] = {}  # none at present

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("Chromium is needed for the browser tests: run `make test` (it installs it on Debian), "
                "or set CHROMIUM to a Chromium binary.")


BUILD: dict = {}
BUILD_LOG = ROOT / "_build" / "test-build.log"


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Build the book as `make build` does (strict) before tests are collected, so that the
    page tests are generated from this build, never from an old one. With pytest-xdist the
    controller builds once, before the workers start; they read its result."""
    if hasattr(session.config, "workerinput"):
        BUILD.update(returncode=int(os.environ["PEACEOPS_BUILD_RC"]), log=BUILD_LOG.read_text(encoding="utf-8"))
        return
    shutil.rmtree(SITE, ignore_errors=True)  # no page left over from an earlier build
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb if jb.exists() else shutil.which("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    BUILD.update(returncode=result.returncode, log=result.stdout + result.stderr)
    BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    BUILD_LOG.write_text(BUILD["log"], encoding="utf-8")
    os.environ["PEACEOPS_BUILD_RC"] = str(result.returncode)


@pytest.fixture(scope="session")
def site() -> Path:
    """The HTML folder of this run's strict build; fails every test that needs it if the build failed."""
    assert BUILD.get("returncode") == 0, "The strict book build failed:\n" + BUILD.get("log", "")[-6000:]
    return SITE


def built_pages(site_dir: Path) -> list[str]:
    """Every page of the built book, as paths relative to the site root."""
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                  if not p.relative_to(site_dir).as_posix().startswith("_static/"))


@pytest.fixture(scope="session")
def server(site):
    """The built site on http://127.0.0.1:<free port>/, served as `make serve` serves it
    (tools/serve.py: compressed, with its caching headers), so the tests see what learners get."""
    httpd = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class WatchedPage:
    """A Playwright page that records what a user would not see: page errors, console errors and
    any request to a host other than the course's own (such requests are also blocked)."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.external_requests: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on("console", self._on_console)
        context.route("**/*", self._route)

    def _on_console(self, msg):
        if msg.type == "error" and msg.text not in TOLERATED_CONSOLE_ERRORS:
            self.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def goto(self, path: str, wait_for_widgets: bool = True):
        self.page.goto(self.base_url + path)
        if wait_for_widgets and self.page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
            self.page.wait_for_selector(".po-widget", timeout=15000)
        return self.page

    def assert_clean(self):
        assert not self.page_errors, f"page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.external_requests, f"requests beyond 127.0.0.1: {self.external_requests}"


@pytest.fixture
def make_page(browser, server):
    """make_page(color_scheme="light", width=1280) -> a WatchedPage in a fresh browser profile."""
    contexts = []

    def factory(color_scheme: str = "light", width: int = 1280, height: int = 900) -> WatchedPage:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme)
        contexts.append(context)
        return WatchedPage(context, server)

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def watched(make_page) -> WatchedPage:
    return make_page()
