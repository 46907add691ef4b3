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
Only the standard library is used, so this runs wherever the course's Python does.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

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
                idle_timeout: float = IDLE_TIMEOUT):
    """A threading server for `folder`; port 0 picks a free one (see server.server_address)."""
    handler = functools.partial(CourseHandler, directory=str(folder))
    server = CourseServer((bind, port), handler)
    server.verbose = verbose
    server.idle_timeout = idle_timeout
    return server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="_build/html")
    ap.add_argument("--bind", default="127.0.0.1", help="0.0.0.0 serves the whole network (a classroom)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--quiet", action="store_true", help="do not log each request")
    args = ap.parse_args()
    folder = Path(args.folder)
    if not (folder / "index.html").is_file():
        print(f"serve: {folder}/index.html is missing. Fix: build the course first (make build).", file=sys.stderr)
        return 1
    try:
        server = make_server(folder, args.bind, args.port, verbose=not args.quiet)
    except OSError as error:
        print(f"serve: cannot listen on {args.bind}:{args.port} ({error.strerror}). "
              f"Fix: choose another port, e.g. make serve PORT=8001.", file=sys.stderr)
        return 1
    host = "127.0.0.1" if args.bind in ("0.0.0.0", "") else args.bind
    print(f"\n  The course is at  http://{host}:{args.port}/   (press Ctrl+C to stop)\n", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
