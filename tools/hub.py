"""`make hub`: a JupyterHub for a class on this machine (hub/jupyterhub_config.py).

    python tools/hub.py [--host 127.0.0.1] [--port 8000] [--dir _hub] [--teacher teacher]

Keeps its state in --dir (database, secrets, the class-results token, learners' homes), so a
restart keeps every account and every learner's files. Prints what the teacher does first.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def results_token(state: Path) -> str:
    """The class-results service's token, made once and kept readable by this user only."""
    path = state / "class-results.token"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1", help="address learners connect to (0.0.0.0: every network)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--dir", type=Path, default=ROOT / "_hub", help="where the hub keeps its state")
    ap.add_argument("--teacher", default="teacher", help="the admin's user name (log in under it first)")
    ap.add_argument("--roster", type=Path, help="the learners' user names, one a line (default: roster.txt in --dir)")
    ap.add_argument("--mem-limit", default="2G", help="ceiling on each process of a learner's server")
    ap.add_argument("--idle-minutes", type=int, default=60, help="stop a learner's server idle this long")
    args = ap.parse_args(argv)
    proxy = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        sys.exit("configurable-http-proxy is missing: run `make assets` (it installs it from npm), then again.")
    state = args.dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    roster = (args.roster or state / "roster.txt").resolve()
    if not roster.exists():
        roster.write_text("# The class: one learner's user name a line (lower case, no spaces).\n", encoding="utf-8")
    env = dict(os.environ, PEACEOPS_HUB_DIR=str(state), PEACEOPS_HUB_ROSTER=str(roster), PEACEOPS_HUB_IP=args.host, PEACEOPS_HUB_PORT=str(args.port),
               PEACEOPS_HUB_TEACHER=args.teacher, PEACEOPS_HUB_MEM_LIMIT=args.mem_limit,
               PEACEOPS_HUB_IDLE_MINUTES=str(args.idle_minutes), PEACEOPS_RESULTS_TOKEN=results_token(state))
    env.setdefault("PEACEOPS_HUB_API_PORT", str(args.port + 81))
    env.setdefault("PEACEOPS_HUB_PROXY_API_PORT", str(args.port + 1))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"The class's hub: http://{shown}:{args.port}/  (state in {state})\n"
          f"1. Log in as '{args.teacher}' NOW: the password you type the first time becomes the admin's password.\n"
          f"2. The class is the list in {roster} (restart the hub after editing it) or the users you add at "
          "/hub/admin. Each learner's first login sets their password: hand out the names in class and have "
          "everyone log in then. To reset a forgotten password, delete the user at /hub/admin and add them again.\n"
          "3. The class-results notebook, opened in the teacher's server, loads the class from the hub.\n"
          "Each learner's server runs as this machine's user, not in a container: see README, "
          "'The classroom on JupyterHub'.", flush=True)
    if args.host not in LOOPBACK:
        print(f"WARNING: listening on {args.host}, so anyone on this network can reach the hub, over plain HTTP: "
              "passwords and answers cross the network unencrypted. Use it on a classroom network you trust, "
              "or put it behind HTTPS (a reverse proxy with a certificate, or JupyterHub's ssl_cert/ssl_key).",
              file=sys.stderr, flush=True)
    cmd = [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(ROOT / "hub" / "jupyterhub_config.py")]
    os.chdir(state)
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    main()
