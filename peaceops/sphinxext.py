"""Sphinx extension: the {chapter-card} directive shows a chapter's estimated time and
learning objectives from data/chapters.yml, so they are written once and the progress
page, the quizzes and the tests read the same list."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import data


class ChapterCard(SphinxDirective):
    required_arguments = 1  # the chapter id, e.g. ch01

    def run(self):
        chapter = data.chapter(self.arguments[0])
        self.env.note_dependency(str(data.course_root() / "data" / "chapters.yml"))
        card = nodes.admonition(classes=["po-chapter-card", "tip"])
        card += nodes.title(text="Learning objectives")
        card += nodes.paragraph(text=f"Estimated time: about {chapter['minutes']} minutes, with the activities and the quiz. "
                                     "By the end of this chapter you will be able to:")
        items = nodes.bullet_list()
        for objective in chapter["objectives"]:
            item = nodes.list_item(ids=[objective["id"]])
            item += nodes.paragraph(text=objective["text"])
            items += item
        card += items
        return [card]


def drop_thebe_scripts(app, pagename, templatename, context, doctree):
    """Jupyter Book always loads sphinx-thebe, which writes its config script twice (a page error:
    "Identifier 'THEBE_JS_URL' has already been declared") and points at a CDN. The course has no
    live-code launch buttons, so its pages need none of those scripts."""
    scripts = context.get("script_files")
    if scripts is not None:  # the builder's own list: filter it in place
        scripts[:] = [s for s in scripts
                      if "thebe" not in (str(s) + str(getattr(s, "attributes", {}).get("body", ""))).lower()]
    context["css_files"] = [c for c in context.get("css_files", []) if "thebe" not in str(c)]


def _inputs_digest() -> str:
    """A digest of everything executed pages draw on besides their own code: the widgets'
    package and the course data. jupyter-cache keys only on a notebook's code, so without this
    an edited quiz file or widget module would leave stale widgets in the book."""
    root = data.course_root()
    digest = hashlib.sha256()
    for folder in (root / "peaceops", root / "data"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".js", ".css", ".yml", ".yaml", ".csv"}:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def refresh_when_inputs_change(app, env, added, changed, removed):
    """When the package or data changed since the last build, empty the execution cache and
    re-read every page, so every widget is rebuilt from the current data."""
    cache = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.parent / "peaceops-inputs.sha256"
    current = _inputs_digest()
    if stamp.is_file() and stamp.read_text() == current:
        return []
    if cache.is_dir():
        shutil.rmtree(cache)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return sorted(env.found_docs)


def fix_citation_roles(app, pagename, templatename, context, doctree):
    """Sphinx 7 marks each bibliography entry role="doc-biblioentry" inside a role="list": the role
    is deprecated in ARIA 1.2 and leaves the list without list items (axe: aria-deprecated-role,
    aria-required-children). A list item is what each entry is."""
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", fix_citation_roles)
    app.connect("env-get-outdated", refresh_when_inputs_change)
    app.add_directive("chapter-card", ChapterCard)
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
