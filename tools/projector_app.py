#!/usr/bin/env python3
"""Run the seminar-room app (app/projector.ipynb) in Voila, offline.

Voila's stock "lab" template links Font Awesome from a CDN, which a room without network cannot
reach and the course never asks for. At start-up this script derives a template from the
installed one with those links removed (into _build/voila/, nothing third-party is committed)
and runs Voila with it on 127.0.0.1.

Voila starts a kernel (about 60 MB) for every page load and, left alone, never stops it: 13
anonymous loads held 743 MB after 90 s. For a seminar room this launcher therefore
- shuts down a kernel once no browser has been connected to it and it has been idle for
  --idle-minutes (default 10): a projector left open keeps its kernel, closed tabs do not;
- runs at most --max-kernels at once (default 20, about 1.3 GB): when that many are running, the
  longest-idle kernel that no browser is using makes room; if every one is in use, the new
  viewer gets a page saying the room is full instead of a machine that runs out of memory.

    .venv/bin/python tools/projector_app.py [PORT] [--max-kernels N] [--idle-minutes M]
                                                  (what `make app` runs; default port 8866)
"""
import argparse
import os
import shutil
import sys
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

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
    page = "".join(line for line in lines if "cdn.jsdelivr.net" not in line)
    # The cells are the page's main content: a landmark, so that no content lies outside one (axe).
    page = page.replace('<div id="rendered_cells"', '<div id="rendered_cells" role="main"')
    index.write_text(page, encoding="utf-8")
    # Inherit everything else (nbconvert's lab and base templates, Voila's static files) from "lab".
    (target / "conf.json").write_text('{"base_template": "lab", "mimetypes": {"text/html": true}}', encoding="utf-8")
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(OWN), env.get("JUPYTER_PATH")]))
    return env


class SeminarRoomKernels(AsyncMappingKernelManager):
    """Voila's kernel manager with a ceiling on how many kernels run at once (see the top)."""

    max_kernels = Integer(20, config=True, help="kernels (viewers) that may run at once")

    async def start_kernel(self, *args, **kwargs):
        if len(self.list_kernel_ids()) >= self.max_kernels:
            unused = [k for k in self.list_kernel_ids() if self._kernel_connections.get(k, 0) == 0]
            if not unused:
                raise web.HTTPError(503, reason=(
                    f"The seminar-room app already serves {self.max_kernels} viewers, its limit. "
                    "Close the app in a tab you no longer use, or ask the facilitator to restart it "
                    "with a higher limit (make app APP_MAX_KERNELS=...)."))
            oldest = min(unused, key=lambda k: self.get_kernel(k).last_activity)
            self.log.info("Room full: shutting down kernel %s, which no browser uses", oldest)
            await self.shutdown_kernel(oldest)
        return await super().start_kernel(*args, **kwargs)


def command(port: int, max_kernels: int = 20, idle_minutes: float = 10, cull_interval: int = 60,
            notebook: str = "projector.ipynb", browser: bool = False) -> list[str]:
    """Voila's command line for a notebook of app/ (the class-results dashboard uses it too)."""
    voila = Path(sys.executable).with_name("voila.exe" if os.name == "nt" else "voila")
    return [str(voila), str(ROOT / "app" / notebook), *([] if browser else ["--no-browser"]), "--Voila.ip=127.0.0.1",
            f"--port={port}", f"--template={TEMPLATE}", "--theme=light",
            "--VoilaConfiguration.multi_kernel_manager_class=projector_app.SeminarRoomKernels",
            f"--SeminarRoomKernels.max_kernels={max_kernels}",
            f"--SeminarRoomKernels.cull_idle_timeout={max(1, round(idle_minutes * 60))}",
            f"--SeminarRoomKernels.cull_interval={cull_interval}",
            "--SeminarRoomKernels.cull_connected=False"]   # a projector that is still open keeps its kernel


def environment() -> dict:
    """prepare()'s environment, plus this folder on the path so Voila finds SeminarRoomKernels."""
    env = prepare()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent), env.get("PYTHONPATH")]))
    return env


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Run the seminar-room app in Voila, offline, on 127.0.0.1.")
    ap.add_argument("port", nargs="?", type=int, default=8866)
    ap.add_argument("--max-kernels", type=int, default=20, help="viewers at once (each kernel takes about 60 MB)")
    ap.add_argument("--idle-minutes", type=float, default=10, help="stop a kernel no browser has used for this long")
    args = ap.parse_args()
    cmd = command(args.port, args.max_kernels, args.idle_minutes)
    print(f"\n  The seminar-room app is at  http://127.0.0.1:{args.port}/   (press Ctrl+C to stop)\n"
          f"  Up to {args.max_kernels} viewers at once; a closed viewer's kernel stops after {args.idle_minutes:g} minutes.\n",
          flush=True)
    os.execvpe(cmd[0], cmd, environment())
