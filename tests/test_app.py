"""The projector app (make app): Voila serves the spectrum explorer and the asymmetric-integration
scenario on 127.0.0.1 with a live kernel, and the widgets render and respond; it keeps a seminar
room's kernels bounded. And `make lab` starts where classes run it, root included."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

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
    proc = subprocess.Popen(projector_app.command(port), cwd=ROOT, env=projector_app.environment(),
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port)
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


def _wait_for_port(port: int, seconds: float = 60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def _kernels(proc) -> int:
    """Kernel processes Voila has running now (a stopped one not yet reaped does not count)."""
    running = 0
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(child.cmdline()):
                running += 1
        except psutil.Error:   # gone between the listing and the look
            pass
    return running


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=90) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _until(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def test_projector_app_keeps_the_rooms_kernels_bounded(make_page, tmp_path):
    """Anonymous page loads no longer pile up kernels: at most max_kernels run, a kernel no browser
    uses makes room for a new viewer, an open projector is never taken away, a full room gets a
    clear page, and kernels of closed viewers stop once idle."""
    import projector_app
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(projector_app.command(port, max_kernels=2, idle_minutes=4 / 60, cull_interval=1),
                            cwd=ROOT, env=projector_app.environment(), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port)
        url = f"http://127.0.0.1:{port}/"
        for _ in range(3):                       # three loads by a client that never connects
            assert _get(url)[0] == 200
        assert _kernels(proc) <= 2
        # Two projectors stay open (connected): the room is full, a third viewer is told so.
        viewers = [make_page(), make_page()]
        for watched in viewers:
            watched.page.goto(url, timeout=90000)
            watched.page.wait_for_selector(".po-spectrum", timeout=90000)
        status, body = _get(url)
        assert status == 503 and "already serves 2 viewers" in body, (status, body[:500])
        time.sleep(6)                            # past the idle time: connected kernels are kept
        assert _kernels(proc) == 2
        viewers[0].page.locator("#po-spectrum-stage").focus()
        viewers[0].page.keyboard.press("ArrowRight")   # still live
        for watched in viewers:
            watched.page.close()
        assert _until(lambda: _kernels(proc) == 0, 30), "kernels of closed viewers were not stopped"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_make_lab_starts_as_root_and_as_a_user(tmp_path):
    """Classroom VMs and containers run as root, where plain `jupyter lab` refuses to start."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_PORT": str(port), "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    out = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, 90)
        status, body = _get(f"http://127.0.0.1:{port}/api")
        assert status == 200 and '"version"' in body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        out.close()
    said = (tmp_path / "lab.log").read_text()
    if os.geteuid() == 0:
        assert "running as root" in said and "127.0.0.1 only" in said
    else:
        assert "running as root" not in said
