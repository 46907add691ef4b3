"""Sphinx extension: the class edition's learning-record reporter (xAPI).

Off by default: with `peaceops_lrs` empty (the default book) this does nothing, and no page
holds, loads or links the reporter. The class edition (`make class`, tools/class_edition.py)
sets `peaceops_lrs` to the path on the course's own site where tools/serve.py passes records
on to the class's learning-record store, e.g. "/xapi/". Then every page loads
_static/peaceops-xapi.js: peaceops/widgets/common.js (the widgets' storage helpers) and
peaceops/lrs/xapi.js, wrapped in one function so that nothing leaks into the page's globals.
"""
from __future__ import annotations

import re
from pathlib import Path

from sphinx.errors import ConfigError

HERE = Path(__file__).parent
SCRIPT = "peaceops-xapi.js"
STYLE = "peaceops-xapi.css"
# A path on the course's own site: the pages may send records nowhere else (the LRS refuses
# requests from other origins, and credentials must stay on the server).
# Not "/" itself: the whole site would then be the LRS's.
SAME_SITE_PATH = re.compile(r"^/[A-Za-z0-9_~-][A-Za-z0-9._~/-]*$")


def reporter_script() -> str:
    common = (HERE / "widgets" / "common.js").read_text(encoding="utf-8")
    reporter = (HERE / "lrs" / "xapi.js").read_text(encoding="utf-8")
    return f'(function () {{\n"use strict";\n{common}\n{reporter}\n}})();\n'


def add_reporter(app) -> None:
    path = app.config.peaceops_lrs
    if not path:
        return
    if not SAME_SITE_PATH.match(path) or ".." in path:
        raise ConfigError(f"peaceops_lrs is {path!r}: it must be a path on the course's own site, such as "
                          "'/xapi/' (no host, no scheme). Fix: make class LRS=/xapi/")
    folder = Path(app.outdir).parent / "peaceops-lrs-static"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SCRIPT).write_text(reporter_script(), encoding="utf-8")
    (folder / STYLE).write_text((HERE / "lrs" / "xapi.css").read_text(encoding="utf-8"), encoding="utf-8")
    app.config.html_static_path.append(str(folder))
    app.add_css_file(STYLE)
    app.add_js_file(SCRIPT, defer="defer", **{"data-lrs": path, "data-course": app.config.html_title or app.config.project})


def setup(app):
    app.add_config_value("peaceops_lrs", "", "html", types=[str])
    app.connect("builder-inited", add_reporter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
