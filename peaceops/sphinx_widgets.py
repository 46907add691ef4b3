"""Sphinx extension (loaded by peaceops.sphinxext): the course's widgets as directives, so that a
book page is plain MyST Markdown and the build starts no kernel for it.

    ```{quiz} ch01
    ```

Each directive makes the widget with the same class a notebook uses (peaceops/widgets.py; an
ipywidgets widget needs no kernel to exist), and writes into the page what running that cell
in a kernel would have left there: a widget-view script where the widget stands, and the
widget's state (its model and its layout's) in the page's widget-state script, which
_assets/static-widgets.js reads. myst-nb's own per-page script list carries both, so pages
with widgets load the widget host (`nb_ipywidgets_js`) and text pages do not.

Model ids come from the page and the widget, never from chance: the same input gives the same
HTML, so a rebuild rewrites only what changed. Each widget page depends on the data files its
widget read and on the widget code, so editing a quiz rebuilds the pages that show it.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import data

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
PACKAGE = Path(__file__).parent


def widget_code() -> list[Path]:
    """What every widget page is made of besides its data: the widget classes, the loaders, the
    schemas, the JavaScript and CSS, and this file."""
    return [PACKAGE / "widgets.py", PACKAGE / "data.py", Path(__file__), *sorted((PACKAGE / "widgets").iterdir()),
            *sorted((PACKAGE / "schemas").iterdir())]


def widget_state(widget) -> dict:
    """A widget's models as a kernel leaves them in a notebook's widget state (nbclient's
    format): the widget's own model and its layout's, each with its full state."""
    models = {}
    for w in (widget.layout, widget):
        state = w.get_state()  # a layout appears as "IPY_MODEL_<its id>", as in a kernel
        models[w.model_id] = {"model_name": state["_model_name"], "model_module": state["_model_module"],
                              "model_module_version": state["_model_module_version"], "state": state}
    return models


def stable_id(*parts: str) -> str:
    """A model id like a kernel's (32 hex digits), the same whenever the parts are."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def make_widget(class_name: str, args: list, model_id: str):
    """The widget, made by its class with a stable model id (and one for its layout)."""
    import ipywidgets

    from . import widgets
    layout = ipywidgets.Layout(model_id=stable_id(model_id, "layout"))
    return getattr(widgets, class_name)(*args, layout=layout, model_id=model_id)


def view_script(widget) -> str:
    """The view output a kernel would show for the widget (its widget-view mime data)."""
    bundle = widget._repr_mimebundle_()
    view = (bundle[0] if isinstance(bundle, tuple) else bundle)[VIEW_TYPE]  # (data, metadata) or data
    return f'<script type="{VIEW_TYPE}">{json.dumps(view, sort_keys=True)}</script>'


class WidgetDirective(SphinxDirective):
    """One course widget where the directive stands. Subclasses name the widget class and how
    many arguments it takes (a chapter id, an activity id, ...)."""
    widget_class = ""
    has_content = False

    def run(self):
        args = list(self.arguments)
        env = self.env
        seen = env.temp_data.setdefault("peaceops_widget_count", {})
        key = " ".join([self.name, *args])
        seen[key] = seen.get(key, 0) + 1
        model_id = stable_id(env.docname, key, str(seen[key]))
        with data.files_read() as files:
            try:
                widget = make_widget(self.widget_class, args, model_id)
            except data.DataError as exc:  # a named file, entry and fix: shown as the build's error
                raise self.error(f"{{{self.name}}} {' '.join(args)}: {exc}") from None
        try:
            for path in sorted(files | set(widget_code())):
                env.note_dependency(str(path))
            add_state(env, widget_state(widget))
            view = view_script(widget)
        finally:
            widget.layout.close()
            widget.close()
        return [nodes.raw("", view, format="html")]


def add_state(env, models: dict):
    """Add models to the page's widget state and make sure the page loads the widget host, in
    myst-nb's per-page list of scripts (the same entries an executed notebook page gets)."""
    from myst_nb.sphinx_ import NbMetadataCollector
    page = NbMetadataCollector.get_doc_data(env)[env.docname]
    state = page.setdefault("peaceops_widget_state", {})
    state.update(models)
    body = json.dumps({"state": state, "version_major": 2, "version_minor": 0}, sort_keys=True)
    # myst-nb guards "</script>" the same way; sphinxext.escape_widget_state escapes the rest
    body = body.replace("</script>", "<\\/script>")
    NbMetadataCollector.add_js_file(env, env.docname, "ipywidgets_state", None, {"type": STATE_TYPE, "body": body})
    for i, (path, kwargs) in enumerate(env.config.nb_ipywidgets_js.items()):
        NbMetadataCollector.add_js_file(env, env.docname, f"ipywidgets_{i}", path, kwargs)


def directive(name: str, class_name: str, arguments: int) -> type:
    return type(f"{class_name}Directive", (WidgetDirective,),
                {"widget_class": class_name, "required_arguments": arguments, "optional_arguments": 0})


# directive name -> (widget class in peaceops/widgets.py, number of arguments)
DIRECTIVES = {
    "quiz": ("Quiz", 1),                      # {quiz} ch01
    "spectrum": ("SpectrumExplorer", 0),      # {spectrum}
    "activity": ("Activity", 1),              # {activity} ch01-asymmetric
    "discussion": ("Discussion", 1),          # {discussion} ch01
    "solo-simulation": ("SoloSimulation", 1),  # {solo-simulation} quessara-solo
    "progress": ("Progress", 0),              # {progress}
    "exam": ("Exam", 0),                      # {exam}
    "certificate": ("Certificate", 0),        # {certificate}
    "knowledge-check": ("KnowledgeCheck", 1),  # {knowledge-check} pre
    "evaluation": ("Evaluation", 0),          # {evaluation}
}


def setup(app):
    for name, (class_name, arguments) in DIRECTIVES.items():
        app.add_directive(name, directive(name, class_name, arguments))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
