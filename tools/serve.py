#!/usr/bin/env python3
"""Serve the built course to browsers on this machine or a classroom network (`make serve`).

    .venv/bin/python tools/serve.py [FOLDER] [--bind 127.0.0.1] [--port 8000]

Python's plain `http.server` sends every file uncompressed and lets browsers guess how long to
keep it. On a weak classroom network that matters: a chapter with exercises is about 6 MB
uncompressed and about 1.5 MB gzip-compressed. So this server
- gzip-compresses text (HTML, CSS, JavaScript, JSON, SVG) for browsers that accept it, and keeps
  each compressed file in memory until the file changes;
- lets browsers keep files whose URL carries a content digest (`?v=...`, `?digest=...`, which
  Sphinx adds to every asset it links) for a year, since a changed file gets a new URL, and asks
  them to check everything else (pages, search index) with the server before reusing it.
It is also sized for a class that opens the course at the same moment, and refuses what no
browser of the course needs (see the limits below).
For the class edition (`make class`), it can also pass one path of the site on to a class's
learning-record store (LRS) on this machine, adding the LRS credentials here, so browsers send
records to the course's own origin and no credential ever appears in a page (see LrsProxy).
With --watch (what `make serve` does) it also rebuilds the book whenever a source of the course
is saved (tools/watch.py), so an author sees an edit by reloading the page.
Only the standard library is used, so this runs wherever the course's Python does.
"""
from __future__ import annotations

import argparse
import base64
import functools
import gzip
import http.client
import http.server
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".map", ".xml", ".ipynb", ".md", ".bib"}
ONE_YEAR = 365 * 24 * 3600


# Limits for a classroom. Python's socketserver keeps a listen backlog of 5: with 300 learners
# opening the chapters at once, 3-4% of connections were refused and p99 was 14-27 s; with 128,
# every request succeeded and p99 was 2.5-3 s (`make bench` measures both side by side).
LISTEN_BACKLOG = 128
IDLE_TIMEOUT = 30            # seconds a connection may stay silent before it is closed
MAX_HEADER_BYTES = 16 * 1024 # a browser sends 1-2 kB; more is refused with 431

_compressed: dict[str, tuple[tuple, bytes]] = {}   # path -> ((mtime, size), gzip bytes)
_compressed_lock = threading.Lock()                 # the server answers on several threads


# The learning-record store (LRS) behind the class edition. Browsers may only PUT one statement
# at a time to <path>statements?statementId=<uuid>; reading the class's records goes to the LRS
# directly, with the teacher's own credentials (peaceops/results.py load_lrs), never through here.
LRS_TIMEOUT = 10               # seconds to wait for the LRS
LRS_MAX_BODY = 64 * 1024       # a statement from the course is about 1 kB
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class LrsProxy(NamedTuple):
    path: str            # on the course's site, e.g. "/xapi/"
    host: str            # the LRS, on this machine
    port: int
    base: str            # the LRS's xAPI path, e.g. "/xAPI/"
    authorization: str   # the class's credentials, as an HTTP Basic header value


def lrs_proxy(path: str, upstream: str, user: str | None, password: str | None) -> LrsProxy:
    """The proxy's settings, checked; ValueError says what is wrong and how to fix it."""
    if not re.fullmatch(r"/[A-Za-z0-9_~-][A-Za-z0-9._~/-]*", path or "") or ".." in path:
        raise ValueError(f"--lrs-path {path!r} is not a path on this site. Fix: use a path such as /xapi/")
    url = urlsplit(upstream or "")
    if url.scheme != "http" or url.hostname not in LOOPBACK or url.query or url.username:
        raise ValueError(f"--lrs-upstream {upstream!r} is not an http:// address on this machine. Fix: run the LRS "
                         "here (make lrs) and pass its address, e.g. http://127.0.0.1:8100/xAPI/ (the credentials "
                         "would otherwise cross the network unencrypted)")
    if not user or not password:
        raise ValueError("the LRS credentials are missing. Fix: set LRS_USER and LRS_PASSWORD in the environment "
                         "(the class user that `make lrs` created)")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return LrsProxy(path.rstrip("/") + "/", url.hostname, url.port or 80, (url.path or "/").rstrip("/") + "/",
                    "Basic " + token)


class CourseHandler(http.server.SimpleHTTPRequestHandler):
    def setup(self):
        # A socket timeout: a silent client no longer holds a connection and a thread for ever.
        self.timeout = self.server.idle_timeout
        super().setup()

    def parse_request(self):
        if not super().parse_request():
            return False
        size = sum(len(name) + len(value) + 4 for name, value in self.headers.items())
        if size > MAX_HEADER_BYTES:
            self.send_error(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            f"Request headers over {MAX_HEADER_BYTES} bytes")
            return False
        return True

    def _lrs_request(self) -> bool:
        lrs = self.server.lrs
        return lrs is not None and (urlsplit(self.path).path + "/").startswith(lrs.path)

    def do_GET(self):
        if self._lrs_request():
            return self._lrs_answer(405, "Records are only sent here, one at a time (PUT); they are read from the LRS.")
        super().do_GET()

    def do_HEAD(self):
        if self._lrs_request():
            return self._lrs_answer(405, "Records are only sent here (PUT).")
        super().do_HEAD()

    def do_PUT(self):
        if not self._lrs_request():
            return self.send_error(http.HTTPStatus.NOT_IMPLEMENTED, "This site takes no uploads")
        lrs = self.server.lrs
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        ids = query.get("statementId", [])
        if url.path != lrs.path + "statements" or list(query) != ["statementId"] or len(ids) != 1 \
                or not UUID.match(ids[0]):
            return self._lrs_answer(404, f"Send one statement to {lrs.path}statements?statementId=<uuid>.")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._lrs_answer(411, "A Content-Length is needed.")
        if not 0 < length <= LRS_MAX_BODY:
            return self._lrs_answer(413, f"A statement is at most {LRS_MAX_BODY} bytes.")
        body = self.rfile.read(length)
        version = self.headers.get("X-Experience-API-Version", "")
        headers = {"Content-Type": "application/json", "Authorization": lrs.authorization,
                   "X-Experience-API-Version": version if re.fullmatch(r"1\.0\.[0-9]", version) else "1.0.3"}
        conn = http.client.HTTPConnection(lrs.host, lrs.port, timeout=LRS_TIMEOUT)
        try:
            conn.request("PUT", f"{lrs.base}statements?statementId={ids[0]}", body=body, headers=headers)
            answer = conn.getresponse()
            answer.read(LRS_MAX_BODY)  # what the LRS says is not passed on: only its status, below
            status = answer.status
        except (socket.timeout, TimeoutError):
            return self._lrs_answer(504, "The class's record store did not answer in time.", log=True)
        except (OSError, http.client.HTTPException) as error:
            return self._lrs_answer(503, "The class's record store cannot be reached.",
                                    log=f"the LRS at {lrs.host}:{lrs.port} cannot be reached ({type(error).__name__}); "
                                        "is it running (make lrs)?")
        finally:
            conn.close()
        if status in (200, 204):
            return self._lrs_answer(204)
        if status == 409:
            return self._lrs_answer(409, "A statement with this id is already stored.")
        if status in (400, 413, 422):
            return self._lrs_answer(400, "The class's record store refused this statement.", log=True)
        if status in (401, 403):
            return self._lrs_answer(502, "The course server's credentials for the record store were refused.",
                                    log="the LRS refused the class credentials: check LRS_USER and LRS_PASSWORD "
                                        "against the user `make lrs` created")
        return self._lrs_answer(502, f"The class's record store answered {status}.", log=True)

    def _lrs_answer(self, status: int, detail: str = "", log: bool | str = False):
        """The course's own short answer: nothing of the LRS's answer (headers, text) reaches the
        browser, so an LRS asking for a login never makes the browser ask the learner for one."""
        if log:
            sys.stderr.write(f"serve: {log if isinstance(log, str) else detail} ({self.command} {self.path})\n")
        body = b"" if status == 204 else json.dumps({"detail": detail}).encode()
        self.send_response(status)
        if status == 405:
            self.send_header("Allow", "PUT")
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def list_directory(self, path):
        # A folder without index.html is not a page of the course: no listing of its files.
        self.send_error(http.HTTPStatus.NOT_FOUND, "No such page")
        return None

    def end_headers(self):
        query = urlsplit(self.path).query
        if "v=" in query or "digest=" in query:
            self.send_header("Cache-Control", f"public, max-age={ONE_YEAR}, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")  # reuse only after checking (304)
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (path.suffix.lower() not in COMPRESSIBLE or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        stat = path.stat()
        if self._not_modified(stat.st_mtime):
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        body = self._gzip(path, stat)
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def _not_modified(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        from email.utils import parsedate_to_datetime
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False

    def _gzip(self, path: Path, stat: os.stat_result) -> bytes:
        version = (stat.st_mtime_ns, stat.st_size)
        with _compressed_lock:
            cached = _compressed.get(str(path))
        if cached and cached[0] == version:
            return cached[1]
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        with _compressed_lock:
            _compressed[str(path)] = (version, body)
        return body

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


class CourseServer(http.server.ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True    # a stuck connection never keeps the server from stopping


def make_server(folder: Path, bind: str = "127.0.0.1", port: int = 8000, verbose: bool = False,
                idle_timeout: float = IDLE_TIMEOUT, lrs: LrsProxy | None = None):
    """A threading server for `folder`; port 0 picks a free one (see server.server_address).
    With `lrs`, requests under lrs.path go to the class's learning-record store (see LrsProxy)."""
    handler = functools.partial(CourseHandler, directory=str(folder))
    server = CourseServer((bind, port), handler)
    server.verbose = verbose
    server.idle_timeout = idle_timeout
    server.lrs = lrs
    return server


def stop_group(process: subprocess.Popen):
    """Stop a process started in a session of its own, and everything it started."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="_build/html")
    ap.add_argument("--bind", default="127.0.0.1", help="0.0.0.0 serves the whole network (a classroom)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--quiet", action="store_true", help="do not log each request")
    ap.add_argument("--lrs-path", help="class edition: pass this path (e.g. /xapi/) on to the learning-record "
                                       "store at --lrs-upstream, with the credentials in LRS_USER and LRS_PASSWORD")
    ap.add_argument("--lrs-upstream", default="http://127.0.0.1:8100/xAPI/",
                    help="the learning-record store's xAPI address on this machine (default: what make lrs runs)")
    ap.add_argument("--watch", metavar="COURSE", help="rebuild the book in FOLDER when a source of the course "
                                                      "in COURSE is saved (tools/watch.py; what make serve does)")
    args = ap.parse_args()
    folder = Path(args.folder)
    if not (folder / "index.html").is_file():
        print(f"serve: {folder}/index.html is missing. Fix: build the course first (make build).", file=sys.stderr)
        return 1
    lrs = None
    if args.lrs_path:
        try:
            lrs = lrs_proxy(args.lrs_path, args.lrs_upstream, os.environ.get("LRS_USER"), os.environ.get("LRS_PASSWORD"))
        except ValueError as error:
            print(f"serve: {error}.", file=sys.stderr)
            return 1
    try:
        server = make_server(folder, args.bind, args.port, verbose=not args.quiet, lrs=lrs)
    except OSError as error:
        print(f"serve: cannot listen on {args.bind}:{args.port} ({error.strerror}). "
              f"Fix: choose another port, e.g. make serve PORT=8001.", file=sys.stderr)
        return 1
    host = "127.0.0.1" if args.bind in ("0.0.0.0", "") else args.bind
    print(f"\n  The course is at  http://{host}:{server.server_address[1]}/   (press Ctrl+C to stop)\n", flush=True)
    if lrs:
        print(f"  Records sent to {lrs.path} go to the LRS at http://{lrs.host}:{lrs.port}{lrs.base}\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # stopped by a service manager: clean up too
    watcher = None
    if args.watch:   # its own process (and group): the rebuilds fork, and this one answers on threads
        watcher = subprocess.Popen([sys.executable, str(Path(__file__).with_name("watch.py")), args.watch],
                                   start_new_session=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if watcher is not None:   # and a rebuild under way with it
            stop_group(watcher)
    return 0


if __name__ == "__main__":
    sys.exit(main())
