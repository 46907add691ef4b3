#!/usr/bin/env python3
"""Run a learning-record store (LRS) for a class on this machine: ralph (ralph-malph, PyPI),
storing statements in files under LRS_DATA (default lrs-data/), on 127.0.0.1 only.

    LRS_USER=class LRS_PASSWORD=... LRS_TEACHER_USER=teacher LRS_TEACHER_PASSWORD=... \\
        .venv/bin/python tools/lrs.py [--port 8100] [--data lrs-data]     (what `make lrs` runs)

Two users, from the environment (never from the command line, which other users of the
machine can read): the class user may only write statements, and is the one the course server
adds to the records browsers send (tools/serve.py --lrs-path); the teacher user may read them
all (the class-results notebook, peaceops/results.py load_lrs). Their passwords are stored
only as bcrypt hashes, by ralph's own `ralph auth ... -w`, in LRS_DATA/auth.json, which is
written afresh at each start. The statements stay in LRS_DATA/fs_lrs.jsonl across restarts.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(data: Path) -> dict[str, str]:
    return {**os.environ,
            "RALPH_APP_DIR": str(data / "app"),
            "RALPH_AUTH_FILE": str(data / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
            # Scopes are enforced: the class user writes, only the teacher reads.
            "RALPH_LRS_RESTRICT_BY_SCOPES": "true",
            "RALPH_LRS_RESTRICT_BY_AUTHORITY": "true"}


def write_users(data: Path, users: list[tuple[str, str, str]], home: str) -> None:
    """users: (name, password, scope). ralph's own command (`ralph auth ... -w`), run in this
    process so that no password appears in a process list."""
    from ralph.cli import cli
    (data / "auth.json").unlink(missing_ok=True)
    for name, password, scope in users:
        cli.main(["auth", "-u", name, "-p", password, "-s", scope, "-A", name, home, "-w"],
                 standalone_mode=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8100)
    ap.add_argument("--data", default=os.environ.get("LRS_DATA", str(ROOT / "lrs-data")))
    args = ap.parse_args()
    names = ["LRS_USER", "LRS_PASSWORD", "LRS_TEACHER_USER", "LRS_TEACHER_PASSWORD"]
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        print(f"lrs: set {', '.join(missing)} in the environment first. The class user (LRS_USER) only writes "
              "records, through the course server; the teacher (LRS_TEACHER_USER) reads them.", file=sys.stderr)
        return 1
    if os.environ["LRS_USER"] == os.environ["LRS_TEACHER_USER"]:
        print("lrs: LRS_USER and LRS_TEACHER_USER must differ: the class user may only write.", file=sys.stderr)
        return 1
    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o700)  # the class's records and the password hashes: for this user only
    home = f"http://127.0.0.1:{args.port}/"
    os.environ.update(environment(data))  # before ralph is imported: it reads RALPH_* then
    os.chdir(data)
    write_users(data, [(os.environ["LRS_USER"], os.environ["LRS_PASSWORD"], "statements/write"),
                       (os.environ["LRS_TEACHER_USER"], os.environ["LRS_TEACHER_PASSWORD"], "all")], home)
    print(f"\n  The class's LRS is at {home}xAPI/ (records in {data})   (press Ctrl+C to stop)\n", flush=True)
    for name in names:
        os.environ.pop(name)  # the LRS reads its users from auth.json, not from here
    serve(args.port)
    return 0


def serve(port: int) -> None:
    """ralph's LRS application, as `ralph runserver -b fs` runs it, with one change: ralph 5.1's
    file backend creates its statements file on the first write and then refuses every later one
    ("already exists and overwrite is not allowed", a 500 for the second statement ever sent),
    so here it appends, which is what an LRS does. No code reloader either: this is no
    development server, and it stops with Ctrl+C or SIGTERM."""
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    import uvicorn
    from ralph.api import app
    from ralph.conf import settings
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=settings.LOGGING, log_level="info")


if __name__ == "__main__":
    sys.exit(main())
