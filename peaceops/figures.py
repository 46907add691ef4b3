"""Figures drawn at build time from files in the repository, as inline SVG with real text.

An author adds a figure to a page without writing Python:

    ```{course-figure} figures/ch02-leadership.dot
    :alt: What the figure shows, in a sentence or two (read aloud instead of the picture).

    The caption, in MyST. Say which parts are the proceedings' and which the course's own.
    ```

The source is a Graphviz file (figures/*.dot), or one of the course's data files that has a
drawing of its own (DATA_FIGURES below: the timeline and the integration spectrum), so the
picture follows the data. Graphviz lays everything out; nothing here places shapes by hand.

The SVG goes into the page itself, not into an <img> or <object>, so that its text is real,
selectable text and the page's dark mode reaches it (course.css sets the dark colours; the light
ones are in LIGHT_STYLE, which also serves the slides and the full-size file). One look for
every figure: authors mark a box `class="proceedings"` (what the source says: solid border) or
`class="course"` (the course's own framing: dashed border), never colours.
"""
from __future__ import annotations

import csv
import hashlib
import html
import posixpath
import re
import shutil
import subprocess
import textwrap
from datetime import date
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import data

# Defaults for every figure (a .dot file can override any of them).
DOT_DEFAULTS = [
    "-Gfontname=DejaVu Sans", "-Nfontname=DejaVu Sans", "-Efontname=DejaVu Sans",
    "-Gbgcolor=transparent", "-Gfontsize=13", "-Nfontsize=13", "-Efontsize=12",
    "-Nshape=box", "-Nstyle=rounded,filled", "-Nfillcolor=#f4f6f9", "-Ncolor=#3b4654",
    "-Nmargin=0.15,0.08", "-Ecolor=#4a5563", "-Gpad=0.1",
]
# Graphviz measures text in DejaVu Sans; Verdana has nearly the same widths where it is missing.
FONT_STACK = "DejaVu Sans, Verdana, sans-serif"

# The light look, carried inside every SVG (so slides and the full-size file have it too).
# Colours come from CSS variables that course.css sets for the book's dark mode.
LIGHT_STYLE = """
svg.po-fig text { fill: var(--po-fig-text, #1b1f24); }
svg.po-fig .node > :is(polygon, path, ellipse) { fill: var(--po-fig-fill, #f4f6f9); stroke: var(--po-fig-line, #3b4654); }
svg.po-fig .node.proceedings > :is(polygon, path, ellipse) { fill: var(--po-fig-source-fill, #e1ecfa); stroke: var(--po-fig-source-line, #1d4f8a); stroke-width: 1.6; }
svg.po-fig .node.course > :is(polygon, path, ellipse) { fill: var(--po-fig-course-fill, #fdf0d8); stroke: var(--po-fig-course-line, #85510a); stroke-dasharray: 6 3; stroke-width: 1.4; }
svg.po-fig .node.plain > :is(polygon, path, ellipse) { fill: none; stroke: none; }
svg.po-fig .cluster > :is(polygon, path) { fill: var(--po-fig-group-fill, #fbfcfd); stroke: var(--po-fig-group-line, #8a94a3); }
svg.po-fig .cluster.course > :is(polygon, path) { stroke-dasharray: 6 3; }
svg.po-fig .edge path { stroke: var(--po-fig-edge, #4a5563); }
svg.po-fig .edge polygon { fill: var(--po-fig-edge, #4a5563); stroke: var(--po-fig-edge, #4a5563); }
"""


class FigureError(Exception):
    """A figure cannot be drawn; the message names the file and the fix."""


# ---------------------------------------------------------------------------- drawing


def _dot_program() -> str:
    dot = shutil.which("dot")
    if not dot:
        raise FigureError("Graphviz's `dot` program is not installed. Fix: run `make build` "
                          "(it installs Graphviz on Debian), or install Graphviz (apt-get install graphviz).")
    return dot


def dot_to_svg(dot_source: str, name: str) -> str:
    """Run Graphviz on a figure description; `name` says which figure in any error."""
    result = subprocess.run([_dot_program(), "-Tsvg", *DOT_DEFAULTS], input=dot_source,
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or "<svg" not in result.stdout:
        raise FigureError(f"{name}: Graphviz could not draw it: {result.stderr.strip()}. "
                          "Fix: correct the Graphviz description (https://graphviz.org/doc/info/lang.html).")
    return result.stdout


def clean_svg(svg: str, alt: str) -> str:
    """Graphviz's SVG made fit to sit in a page: no XML prologue, no hover titles of node
    names, no ids (two figures on a page would repeat them), one font stack, the light style,
    and the text alternative (role="img": a screen reader reads the alt, not the boxes)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r"<title>.*?</title>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s(id|xmlns:xlink)="[^"]*"', "", svg)
    svg = re.sub(r'font-family="[^"]*"', f'font-family="{FONT_STACK}"', svg)
    svg = re.sub(r"<svg\b", f'<svg class="po-fig" role="img" aria-label="{html.escape(alt)}" focusable="false"', svg, count=1)
    return svg.replace(">", f"><style>{LIGHT_STYLE}</style>", 1).strip()


# ---------------------------------------------------------------------------- data figures


def _quoted(text: str, width: int = 0) -> str:
    """A Graphviz label: escaped, and wrapped to lines of `width` characters when given
    (a line break in the text is kept)."""
    lines = [piece for line in text.split("\n") for piece in (textwrap.wrap(line, width, break_long_words=False) if width else [line])]
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def _when(value: str, path: Path, row: int) -> tuple[date, str]:
    """A timeline date (YYYY, YYYY-MM or YYYY-MM-DD) as a sortable date and as words."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if not match:
        data.fail(path, f"row {row}", "date", f"is '{value}'", "write the date as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    words = str(year)
    if month:
        words = date(year, month, 1).strftime("%B ") + words
    if day:
        words = f"{day} {words}"
    return date(year, month or 1, day or 1), words


def timeline_dot(path: Path) -> str:
    """The policy documents of data/timeline.csv down a line of years, in date order. Years
    with nothing in them are not drawn; a dashed stretch of the line says how many passed."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"date", "document"} <= set(rows[0]):
        data.fail(path, "", None, "has no 'date' and 'document' columns", "keep the header row date,document,...")
    # By year; within a year, in the file's order (a date given only as a year has no place
    # among the months that the chart could know)
    entries = sorted(((*_when(r["date"], path, i + 2), r["document"]) for i, r in enumerate(rows)),
                     key=lambda entry: entry[0].year)
    lines = ["digraph timeline {", "rankdir=TB; nodesep=0.25; ranksep=0.18;",
             'node [shape=box, style="rounded,filled"]; edge [arrowhead=none];']
    years, previous_doc = [], None
    for i, (when, words, document) in enumerate(entries):
        doc = f"d{i}"
        kind = ' class="proceedings"' if "Oslo conference" in document else ""
        lines.append(f"{doc} [label={_quoted(words + ': ' + document, 32)}{kind}, group=documents];")
        if previous_doc:
            lines.append(f'{previous_doc} -> {doc} [style=invis];')
        if not years or years[-1] != when.year:
            lines.append(f'y{when.year} [label="{when.year}", shape=plain, class="plain", fontsize=14, group=years];')
            lines.append(f"{{rank=same; y{when.year}; {doc};}}")
            lines.append(f'y{when.year} -> {doc} [style=dotted];')
            if years:
                gap = when.year - years[-1]
                style = f'style=dashed, label=" {gap} years", fontsize=10' if gap > 1 else ""
                lines.append(f"y{years[-1]} -> y{when.year} [penwidth=2 {',' if style else ''}{style}];")
            years.append(when.year)
        previous_doc = doc
    lines.append("}")
    return "\n".join(lines)


def spectrum_dot(path: Path) -> str:
    """The integration spectrum of data/spectrum.yml, from one end to the other, each stage
    marked as the proceedings' or the course's scaffold, beside the three levels of coherence."""
    spectrum = data.load_spectrum()
    lines = ["digraph spectrum {", "rankdir=TB; nodesep=0.15; ranksep=0.22; newrank=true; compound=true;",
             'node [shape=box, style="rounded,filled"];']
    stages = spectrum["stages"]
    lines.append('subgraph cluster_levels { label="Three levels of coherence (from the\\nproceedings); at each, an operation sits\\nat its own point on the scale below"; margin=8;')
    for i, level in enumerate(spectrum["levels"]):
        lines.append(f'l{i} [label={_quoted(level["label"].replace(" / ", "/ "), 11)}, class="proceedings"];')
    lines.append("{rank=same; " + " -> ".join(f"l{i}" for i in range(len(spectrum["levels"]))) + " [style=invis];}")
    lines.append("}")
    lines.append('subgraph cluster_scale { label="The scale, from\\none end to the other"; margin=8;')
    for i, stage in enumerate(stages):
        origin = "from the proceedings" if stage["basis"] == "proceedings" else "course's scaffold"
        kind = "proceedings" if stage["basis"] == "proceedings" else "course"
        label = _quoted(f"{stage['label']}\n({origin})\ninvestment: {stage['investment']['level']}")
        lines.append(f's{i} [label={label}, class="{kind}", width=2.4];')
    lines.append(" -> ".join(f"s{i}" for i in range(len(stages))) + ";")
    lines.append("}")
    middle = len(spectrum["levels"]) // 2
    lines.append(f'l{middle} -> s0 [lhead=cluster_scale, style=dashed];')
    lines.append("}")
    return "\n".join(lines)


# A data file that has its own drawing: its path in the repository -> the function drawing it.
DATA_FIGURES = {"data/timeline.csv": timeline_dot, "data/spectrum.yml": spectrum_dot}


def figure_svg(relative: str, alt: str) -> str:
    """The figure drawn from a file named relative to the course root, ready for a page."""
    root = data.course_root()
    path = root / relative
    if not path.is_file():
        raise FigureError(f"figure source '{relative}' does not exist. Fix: add the file "
                          f"(a Graphviz .dot file under figures/), or correct the path, which is "
                          f"relative to the course folder (where _config.yml is).")
    if relative in DATA_FIGURES:
        source = DATA_FIGURES[relative](path)
    elif path.suffix == ".dot":
        source = path.read_text(encoding="utf-8")
    else:
        raise FigureError(f"figure source '{relative}' is neither a Graphviz .dot file nor one of the data files "
                          f"with a drawing ({', '.join(DATA_FIGURES)}). Fix: describe the figure in a .dot file.")
    return clean_svg(dot_to_svg(source, relative), alt)


def figures_in(markdown: str) -> list[dict]:
    """The {course-figure} directives of a page, in order: source, alt and caption text
    (for the slides, which show the same figures)."""
    found = []
    for match in re.finditer(r"^(`{3,}|:{3,})\{course-figure\}\s+(\S+)\s*\n(.*?)^\1\s*$", markdown, flags=re.M | re.S):
        body = match.group(3)
        alt = re.search(r"^:alt:\s*(.+(?:\n(?!:)(?!\s*\n).+)*)", body, flags=re.M)
        caption = re.sub(r"^:[a-z-]+:.*(?:\n(?!:)(?!\s*\n).+)*\n?", "", body, flags=re.M).strip()
        found.append({"source": match.group(2), "alt": " ".join(alt.group(1).split()) if alt else "",
                      "caption": " ".join(caption.split())})
    return found


# ---------------------------------------------------------------------------- Sphinx


class figure_drawing(nodes.General, nodes.Element):
    """The drawn SVG of a {course-figure}, and the name of its full-size file."""


class CourseFigure(SphinxDirective):
    required_arguments = 1      # the source file, relative to the course folder
    has_content = True          # the caption
    option_spec = {"alt": directives.unchanged_required, "name": directives.unchanged}

    def run(self):
        relative = self.arguments[0]
        alt = " ".join(self.options.get("alt", "").split())
        if not alt:
            raise self.error(f"course-figure {relative}: the :alt: text is missing. Fix: add `:alt:` "
                             "with a sentence saying what the figure shows, for readers who cannot see it.")
        if not self.content:
            raise self.error(f"course-figure {relative}: the caption is missing. Fix: write the caption "
                             "below the options, saying which parts are the proceedings' and which the course's.")
        self.env.note_dependency(str(data.course_root() / relative))
        try:
            svg = figure_svg(relative, alt)
        except (FigureError, data.DataError) as problem:
            raise self.error(f"course-figure: {problem}")
        name = f"{Path(relative).stem}-{hashlib.sha256(svg.encode()).hexdigest()[:8]}.svg"
        figure = nodes.figure(classes=["po-figure"])
        self.add_name(figure)
        figure += figure_drawing(svg=svg, filename=name, alt=alt)
        caption_holder = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, caption_holder)
        caption = nodes.caption()
        for i, paragraph in enumerate(caption_holder.findall(nodes.paragraph)):
            if i:
                caption += nodes.Text(" ")
            caption.extend(paragraph.children)
        figure += caption
        return [figure]


def visit_drawing_html(self, node):
    """Inline SVG in the page, plus a link to the same drawing full size (for small screens)."""
    images = Path(self.builder.outdir) / "_images"
    images.mkdir(parents=True, exist_ok=True)
    standalone = node["svg"].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1) \
        if "xmlns=" not in node["svg"] else node["svg"]
    (images / node["filename"]).write_text(standalone, encoding="utf-8")
    href = posixpath.relpath(f"_images/{node['filename']}", posixpath.dirname(self.builder.current_docname) or ".")
    self.body.append(f'<div class="po-figure-drawing">{node["svg"]}</div>'
                     f'<p class="po-figure-full"><a href="{html.escape(href)}">Open the figure full size</a></p>')
    raise nodes.SkipNode


def skip_drawing(self, node):
    """Builders other than HTML (the course builds only HTML) leave the drawing out."""
    raise nodes.SkipNode


def setup(app):
    app.add_node(figure_drawing, html=(visit_drawing_html, None),
                 latex=(skip_drawing, None), text=(skip_drawing, None))
    app.add_directive("course-figure", CourseFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
