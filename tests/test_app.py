"""The projector app (make app): Voila serves the spectrum explorer and the asymmetric-integration
scenario on 127.0.0.1 with a live kernel, and the widgets render and respond."""
import socket
import subprocess
import sys
import time
from pathlib import Path

from peaceops import data

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_projector_app_serves_working_widgets(make_page, tmp_path):
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    import projector_app  # tools/ (on the path via conftest.py): the same launcher as `make app`
    proc = subprocess.Popen(projector_app.command(port), cwd=ROOT, env=projector_app.prepare(),
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        watched = make_page()
        page = watched.page
        page.goto(f"http://127.0.0.1:{port}/", timeout=60000)
        page.wait_for_selector(".po-spectrum", timeout=60000)
        page.wait_for_selector(".po-activity", timeout=60000)
        stages = data.load_spectrum()["stages"]
        page.locator("#po-spectrum-stage").focus()
        page.keyboard.press("ArrowRight")
        assert stages[1]["summary"] in page.locator("#po-spectrum-panel").inner_text()
        assert page.locator("#po-activity-ch01-asymmetric-feedback li").count() > 0
        assert not watched.external_requests, watched.external_requests
        assert not watched.page_errors, watched.page_errors
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
