"""The class-results dashboard (`make results`): a page, run by Voila on this computer, where a
teacher picks the learners' results files (several at once, or a zip archive of them), reads
the summary, the tables and the files that were set aside, and downloads every table as Excel or
CSV. No path to type, no code to edit. All the logic is peaceops.results, exactly as the
class-results notebook uses it; this module only lays it out.

Uploaded files are hostile input like a folder's: they are checked by results.read_uploads
(size caps, zip archives opened in memory and bounded, names shown as plain text).
"""
from __future__ import annotations

import base64
import html

import ipywidgets as widgets
from IPython.display import HTML, display

from . import results

# What one upload may weigh in all: a class's files are a few hundred kilobytes; more is not
# theirs and is refused before anything is read.
MAX_UPLOAD_BYTES = 50 * 2**20
# Jupyter's styles show links as plain text and cut a long checkbox label: make both readable.
STYLE = """<style>
.po-dashboard a { color: #0b57a4; text-decoration: underline; }
.po-dashboard a:focus { outline: 2px solid #0b57a4; outline-offset: 2px; }
.po-dashboard .widget-checkbox, .po-dashboard .widget-checkbox label { white-space: normal; height: auto; }
.po-dashboard .widget-html-content { line-height: 1.5; }
.po-dashboard input[type=checkbox] { width: 24px; height: 24px; }
</style>"""
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _link(content: bytes, filename: str, mime: str, text: str) -> str:
    """A download link that carries the file in the page (no server round trip, nothing stored)."""
    href = f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
    return f'<a class="po-download" download="{html.escape(filename)}" href="{href}">{html.escape(text)}</a>'


class Dashboard(widgets.VBox):
    """The page: choose files, then read and download the results.

    >>> Dashboard()          # in a notebook or in Voila (app/class-results.ipynb)
    """

    def __init__(self, **kwargs):
        self.upload = widgets.FileUpload(accept=".json,.zip,application/json,application/zip", multiple=True,
                                         description="Choose the learners' files", icon="",
                                         layout=widgets.Layout(width="auto", min_height="44px"))
        self.anonymise = widgets.Checkbox(value=True, indent=False,
                                          description="Show learners as Learner 1, Learner 2, … (not their names)",
                                          layout=widgets.Layout(width="auto"))
        self.summary = widgets.HTML()
        self.downloads = widgets.HTML()
        self.tables = widgets.Output()
        self.found: results.ClassResults | None = None
        self.upload.observe(self._update, names="value")
        self.anonymise.observe(self._update, names="value")
        super().__init__([widgets.HTML(STYLE), self.upload, self.anonymise, self.summary, self.downloads, self.tables],
                         **kwargs)
        self.add_class("po-dashboard")
        self._show_waiting()

    def _show_waiting(self) -> None:
        self.summary.value = ('<p class="po-summary" role="status">No files chosen yet. Choose the results files your '
                              'learners downloaded from "My progress" (select several at once), or one zip archive '
                              'of them.</p>')

    def _update(self, _change=None) -> None:
        files = [(f["name"], f["content"]) for f in self.upload.value]
        self.tables.clear_output()
        self.downloads.value = ""
        if not files:
            self._show_waiting()
            return
        total = sum(len(content) for _, content in files)
        if total > MAX_UPLOAD_BYTES:
            weigh = "This file weighs" if len(files) == 1 else f"These {len(files)} files weigh"
            self.summary.value = (f'<p class="po-summary" role="alert">{weigh} {total / 2**20:.0f} MB in all; a '
                                  f'class\'s results files are far smaller, so uploads over {MAX_UPLOAD_BYTES // 2**20} '
                                  'MB are not read. Nothing was read. Choose only the results files.</p>')
            return
        self.summary.value = f'<p class="po-summary" role="status">Reading {len(files)} file(s)…</p>'
        self.found = results.read_uploads(files, anonymise=self.anonymise.value)
        tables = results.report(self.found)
        self.summary.value = f'<p class="po-summary" role="status">{html.escape(results.headline(self.found))}</p>'
        links = [_link(results.to_excel(tables), "class-results.xlsx", EXCEL, "Download every table (Excel)")]
        links += [_link(results.to_csv(t), f"{t.name}.csv", "text/csv", f"{t.title} (CSV)") for t in tables]
        self.downloads.value = ('<h2>Download</h2><ul class="po-downloads">'
                                + "".join(f"<li>{link}</li>" for link in links) + "</ul>")
        with self.tables:
            for t in tables:
                display(HTML(f"<h2>{html.escape(t.title)}</h2>"))
                display(results.show(t) if t.on_page else HTML(
                    f"<p>{len(t.frame)} rows, one per learner and question: in the downloads above.</p>"))
