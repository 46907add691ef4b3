"""The server behind `make serve` (tools/serve.py), as a busy or careless classroom meets it:
a whole class connecting at the same moment, clients that connect and say nothing, folders
without a page, and oversized requests. Each test starts its own server on 127.0.0.1 and stops it.
"""
from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from contextlib import contextmanager

import pytest

from serve import make_server  # tools/ is on the path (conftest.py)


@pytest.fixture
def tiny_site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>Course</title><h1>Course</h1>", encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "course.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "ch01.html").write_text("<!doctype html><title>Chapter 1</title>", encoding="utf-8")
    return tmp_path


@contextmanager
def running(folder, accepting=True, **options):
    """A course server on a free loopback port; `accepting=False` leaves it listening but not
    yet accepting, as a server is while its one accept loop is busy."""
    server = make_server(folder, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True) if accepting else None
    if thread:
        thread.start()
    try:
        yield server.server_address[1]
    finally:
        if thread:
            server.shutdown()
        server.server_close()


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_a_whole_class_connecting_at_once_is_queued_not_refused(tiny_site):
    # 100 learners open the course in the same instant while the server is busy: every
    # connection must be taken into the listen queue (Python's default backlog of 5 let 6 in).
    with running(tiny_site, accepting=False) as port:
        clients = []
        try:
            for _ in range(100):
                client = socket.socket()
                client.setblocking(False)
                client.connect_ex(("127.0.0.1", port))
                clients.append(client)
            deadline = time.monotonic() + 2
            connected = set()
            while time.monotonic() < deadline and len(connected) < len(clients):
                _, writable, _ = select.select([], [c for c in clients if c not in connected], [], 0.2)
                connected.update(c for c in writable if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
            assert len(connected) == 100, f"only {len(connected)} of 100 simultaneous connections were taken"
        finally:
            for client in clients:
                client.close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(tiny_site):
    with running(tiny_site, idle_timeout=1) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:
            started = time.monotonic()
            assert idle.recv(1024) == b"", "the server should close a connection that sends nothing"
            assert time.monotonic() - started < 4
        # the server still answers others afterwards
        assert get(port, "/")[0] == 200


def test_folders_without_a_page_are_not_listed(tiny_site):
    with running(tiny_site) as port:
        assert get(port, "/")[0] == 200                       # a folder with index.html is its page
        assert get(port, "/_static/course.css")[0] == 200     # files are served
        for folder in ("/_static/", "/book/", "/_static"):
            status, body = get(port, folder)
            assert status in (301, 404), folder
            if status == 404:
                assert b"course.css" not in body and b"ch01.html" not in body


def test_oversized_request_headers_are_refused(tiny_site):
    with running(tiny_site) as port:
        huge = {f"X-Filler-{i}": "x" * 1000 for i in range(40)}   # 40 kB of headers
        assert get(port, "/", huge)[0] == 431
        assert get(port, "/", {"User-Agent": "a normal browser " * 10})[0] == 200
