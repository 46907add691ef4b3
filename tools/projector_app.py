#!/usr/bin/env python3
"""Run the seminar-room app (app/projector.ipynb) in Voila, offline.

Voila's stock "lab" template links Font Awesome from a CDN, which a room without network cannot
reach and the course never asks for. At start-up this script derives a template from the
installed one with those links removed (into _build/voila/, nothing third-party is committed)
and runs Voila with it on 127.0.0.1.

    .venv/bin/python tools/projector_app.py [PORT]        (what `make app` runs; default 8866)
"""
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARE = Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates"
OWN = ROOT / "_build" / "voila" / "share" / "jupyter"
TEMPLATE = "course-offline"


def prepare() -> dict:
    """Write the offline template; return the environment Voila needs to find it."""
    target = OWN / "voila" / "templates" / TEMPLATE
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SHARE / "lab", target)
    index = target / "index.html.j2"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    index.write_text("".join(line for line in lines if "cdn.jsdelivr.net" not in line), encoding="utf-8")
    # Inherit everything else (nbconvert's lab and base templates, Voila's static files) from "lab".
    (target / "conf.json").write_text('{"base_template": "lab", "mimetypes": {"text/html": true}}', encoding="utf-8")
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(OWN), env.get("JUPYTER_PATH")]))
    return env


def command(port: int) -> list[str]:
    voila = Path(sys.executable).with_name("voila")
    return [str(voila), str(ROOT / "app" / "projector.ipynb"), "--no-browser", "--Voila.ip=127.0.0.1",
            f"--port={port}", f"--template={TEMPLATE}", "--theme=light"]


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8866
    env = prepare()
    print(f"\n  The seminar-room app is at  http://127.0.0.1:{port}/   (press Ctrl+C to stop)\n", flush=True)
    os.execvpe(command(port)[0], command(port), env)
