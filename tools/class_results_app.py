#!/usr/bin/env python3
"""The class-results dashboard (app/class-results.ipynb, see peaceops/dashboard.py) in Voila,
offline, on this computer only (127.0.0.1), with the same launcher as the projector app.
It opens the dashboard in the default web browser; press Ctrl+C to stop it.

    make results                                        (Linux, macOS)
    .venv\\Scripts\\python tools\\class_results_app.py     (Windows, without make)
"""
import argparse
import os
import subprocess
import sys

import projector_app


def command(port: int, browser: bool = True) -> list[str]:
    # One teacher, a few tabs at most: 4 kernels; a tab left alone keeps its kernel 30 minutes.
    # The files chosen travel to the kernel in one message: let it be larger than the dashboard's
    # own limit (peaceops.dashboard.MAX_UPLOAD_BYTES, 50 MB), so that the dashboard, not a closed
    # connection, tells the teacher an upload is too large (tornado's default is 10 MB).
    return projector_app.command(port, max_kernels=4, idle_minutes=30, notebook="class-results.ipynb",
                                 browser=browser) + ['--Voila.tornado_settings={"websocket_max_message_size": 67108864}']


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Run the class-results dashboard in Voila, offline, on 127.0.0.1.")
    ap.add_argument("port", nargs="?", type=int, default=8867)
    ap.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = ap.parse_args()
    print(f"\n  The class-results dashboard is at  http://127.0.0.1:{args.port}/   (press Ctrl+C to stop)\n"
          "  It reads the files you choose on this computer only; nothing is sent anywhere.\n", flush=True)
    cmd = command(args.port, browser=not args.no_browser)
    if os.name == "nt":  # Windows has no exec(): run Voila and wait for it
        sys.exit(subprocess.call(cmd, env=projector_app.environment()))
    os.execvpe(cmd[0], cmd, projector_app.environment())
