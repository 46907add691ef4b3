"""Sphinx extension: every page loads one style sheet instead of five to ten.

The theme and its extensions give each page eight or so style sheets in its head, one of which
(theme.css) @imports another: the browser draws nothing until all of them have arrived, one
chain of requests after another (Lighthouse, on its slow phone: "render-blocking resources",
about a second). After every build, this module
- bundles those sheets, in the order the page would load them (the @import inlined where it
  stood, each url() rewritten for the bundle's folder), into one file, _static/styles/peaceops.css;
- leaves out the rules no page of the site can match: a rule stays unless one of the classes or
  ids its selectors require occurs nowhere in the built pages (text, markup, embedded widget
  state) or in the scripts they load (classes added at run time, such as Bootstrap's `show`).
  Conservative by design: a class named inside :not(), :is(), :has() or an attribute selector
  never removes a rule; @font-face, @keyframes, custom properties on :root and the dark theme's
  [data-theme] rules stay. pydata-sphinx-theme.css alone carries all of Bootstrap 5, most of
  which the course never uses;
- cuts the theme's icon fonts down to the icons the bundle keeps (156 kB -> 6 kB for the one
  every page uses: a phone waits for it before drawing the header's icons);
- points every page at it, with the bundle's digest in the URL (`?digest=`: the server lets
  browsers keep it for a year, tools/serve.py), and writes the short documentation_options.js
  (the one script the theme runs at once in the head) into the page instead of fetching it.
It runs after the pages are written because only then are all of them known: an incremental
build re-reads every page of the site (those it did not rewrite too), so every page points at
the bundle as it now is, and the file name never changes, so no page can point at a bundle that
is gone. The original sheets stay in _static (tests/test_styles.py compares the two).
"""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
from pathlib import Path

import tinycss2
from tinycss2.serializer import serialize_string_value, serialize_url

BUNDLE = "_static/styles/peaceops.css"  # beside the theme's sheets: their url()s stay as they are
# pydata-sphinx-theme writes these two into the head itself (its webpack macros), before the
# sheets Sphinx lists; theme.css only @imports Sphinx's basic.css.
THEME_SHEETS = ["_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css"]
HEADER = "/* One style sheet for every page (peaceops/sphinx_styles.py), bundled from: {} */\n"

STYLESHEET_LINK = re.compile(r'[ \t]*<link\b[^>]*\brel="stylesheet"[^>]*>\n?')
HREF = re.compile(r'\bhref="([^"?#]+)[^"]*"')
SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"?#]+)[^"]*"[^>]*>')
OPTIONS_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="[^"]*_static/documentation_options\.js[^"]*"[^>]*></script>')
SELECTOR_NAME = re.compile(r"[.#]([A-Za-z_][A-Za-z0-9_-]*)")  # every .class and #id a sheet's text holds (and more)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# A class a script builds from a prefix: "bs-tooltip-" + placement, `toctree-l${level}`
BUILT_PREFIX = re.compile(r"""([A-Za-z_][A-Za-z0-9_-]*-)(?:["']\s*\+|\$\{)""")


def sheets(app) -> list[str]:
    """The style sheets a page of this site can load, in the order it loads them."""
    ordered = sorted(app.builder.css_files, key=lambda css: getattr(css, "priority", 500))  # as Sphinx orders them
    listed = [str(getattr(css, "filename", css)).split("?")[0] for css in ordered]
    listed = [name if name.startswith("_static/") else f"_static/{name}" for name in listed]
    # thebe: left out of every page (sphinxext.drop_thebe_scripts)
    return THEME_SHEETS + [name for name in listed if name not in THEME_SHEETS and "thebe" not in name]


def vocabulary(texts: list[str]) -> tuple[set[str], tuple[str, ...]]:
    """Every word of the pages and their scripts (a class or id must be spelled out somewhere to
    be used), and the prefixes scripts build class names from."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for text in texts:
        words.update(WORD.findall(text))
        prefixes.update(BUILT_PREFIX.findall(text))
    return words, tuple(sorted(prefixes))


def _required(selector: list) -> list[str]:
    """The classes and ids a compound selector needs on the page (its top level only: a name
    inside :not(), :is(), :has() or [...] may be absent and the selector still match)."""
    names = []
    for i, token in enumerate(selector):
        if token.type == "literal" and token.value == "." and i + 1 < len(selector) and selector[i + 1].type == "ident":
            names.append(selector[i + 1].value)
        elif token.type == "hash" and token.is_identifier:
            names.append(token.value)
    return names


def can_match(prelude: list, words: set[str], prefixes: tuple[str, ...]) -> bool:
    """Whether any selector of a rule can match some element of the site."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    present = lambda name: (name in words or name.startswith(prefixes)  # noqa: E731
                            or not WORD.fullmatch(name))  # an escaped name is not looked for: kept
    return any(all(present(name) for name in _required(s)) for s in selectors)


def _compact(tokens: list) -> str:
    for token in tokens:
        if token.type == "whitespace":
            token.value = " "
    return tinycss2.serialize([t for t in tokens if t.type != "comment"]).strip()


def _rebase(tokens: list, source_dir: str, bundle_dir: str) -> None:
    """Rewrite each relative url() of a sheet in `source_dir` for a sheet in `bundle_dir`."""
    def rebase(url: str) -> str:
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", url, flags=re.I):
            return url
        return posixpath.relpath(posixpath.normpath(posixpath.join(source_dir, url)), bundle_dir)

    for token in tokens:
        if token.type == "url" and rebase(token.value) != token.value:
            token.value = rebase(token.value)
            token.representation = f"url({serialize_url(token.value)})"
        elif token.type == "function" and token.lower_name == "url":
            for argument in token.arguments:
                if argument.type == "string" and rebase(argument.value) != argument.value:
                    argument.value = rebase(argument.value)
                    argument.representation = f'"{serialize_string_value(argument.value)}"'
        if getattr(token, "content", None) is not None and token.type in ("() block", "[] block", "{} block"):
            _rebase(token.content, source_dir, bundle_dir)
        elif token.type == "function":
            _rebase(token.arguments, source_dir, bundle_dir)


def _rules(text: str, source: str, site: Path, words, prefixes, nested: bool = False) -> list[str]:
    """The rules of one sheet (`source`, a path in the site) that can apply, as text for the bundle."""
    rules = (tinycss2.parse_rule_list if nested else tinycss2.parse_stylesheet)(
        text, skip_comments=True, skip_whitespace=True)
    source_dir, bundle_dir = posixpath.dirname(source), posixpath.dirname(BUNDLE)
    out = []
    for rule in rules:
        if rule.type == "error":
            raise ValueError(f"{source}: {rule.message}. Fix: correct the style sheet")
        if rule.type == "qualified-rule":
            if can_match(rule.prelude, words, prefixes):
                _rebase(rule.content, source_dir, bundle_dir)
                out.append(f"{_compact(rule.prelude)}{{{_compact(rule.content)}}}")
            continue
        keyword = rule.lower_at_keyword
        if keyword == "import":  # inlined where it stood (only plain @import "file" [media] is used)
            target, media = rule.prelude[1], _compact(rule.prelude[2:])
            imported = posixpath.normpath(posixpath.join(source_dir, target.value))
            inner = _rules((site / imported).read_text(encoding="utf-8"), imported, site, words, prefixes)
            out.extend([f"@media {media}{{{''.join(inner)}}}"] if media else inner)
        elif keyword == "charset":
            continue  # the bundle starts with its own
        elif keyword in ("media", "supports", "container", "layer") and rule.content is not None:
            inner = _rules(tinycss2.serialize(rule.content), source, site, words, prefixes, nested=True)
            if inner or keyword == "layer":  # an empty @layer still fixes the layers' order
                out.append(f"@{rule.at_keyword} {_compact(rule.prelude)}{{{''.join(inner)}}}")
        else:  # @font-face, @keyframes, @page, @layer a, b; ...: kept whole
            _rebase(rule.prelude, source_dir, bundle_dir)
            if rule.content is not None:
                _rebase(rule.content, source_dir, bundle_dir)
            out.append(tinycss2.serialize([rule]) if rule.content is None or keyword != "font-face"
                       else f"@font-face{{{_compact(rule.content)}}}")
    return out


def bundle(site: Path, sources: list[str], texts: list[str]) -> str:
    """The bundle of `sources` (paths in `site`) with what no text of `texts` can use left out."""
    return bundle_for(site, sources, *vocabulary(texts))


def bundle_for(site: Path, sources: list[str], words: set[str], prefixes: tuple[str, ...]) -> str:
    parts = ['@charset "UTF-8";\n', HEADER.format(" ".join(sources))]
    for source in sources:
        rules = _rules((site / source).read_text(encoding="utf-8"), source, site, words, prefixes)
        parts.append("\n".join(rules) + "\n")
    return "".join(parts)


ICON_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
ICON_FONT_SRC = re.compile(r"src:[^;}]*url\(([^)]*fontawesome/webfonts/[^)]*\.woff2)\)[^;}]*")


def subset_icon_fonts(site: Path, text: str) -> str:
    """The theme's icon fonts (Font Awesome, 156 kB for the solid one alone) hold 1,400 icons; a
    page shows a dozen, and the phone waits for the whole font before it can draw them. Each is
    cut down to the characters the bundle names (every character of its text: the kept rules
    spell each icon's character out), 4-6 kB each, and saved beside the bundle."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    characters = {ord(c) for c in text}

    def smaller(face: re.Match) -> str:
        def source(src: re.Match) -> str:
            original = posixpath.normpath(posixpath.join(posixpath.dirname(BUNDLE), src.group(1)))
            font = TTFont(site / original, recalcTimestamp=False)  # no clock in the file: same input, same bytes
            options = subset.Options()
            options.flavor = "woff2"
            cutter = subset.Subsetter(options)
            cutter.populate(unicodes=characters)
            cutter.subset(font)
            out = io.BytesIO()
            font.save(out)
            data = out.getvalue()
            name = Path(original).name  # beside the bundle, named as the bundle is: by a digest in the URL
            (site / posixpath.dirname(BUNDLE) / name).write_bytes(data)
            return f'src:url({name}?digest={url_digest(data)}) format("woff2")'
        return ICON_FONT_SRC.sub(source, face.group(0))

    return ICON_FONT_FACE.sub(smaller, text)


def _page_files(app) -> list[Path]:
    """Every page of this build (not pages left in the folder by an older one)."""
    names = sorted(set(app.env.all_docs) | {"genindex", "search", "py-modindex"})
    return [p for p in (Path(app.builder.get_outfilename(name)) for name in names) if p.is_file()]


def one_stylesheet(html: str, page: str, bundled: set[str], href: str, options: str) -> str:
    """The page (`page`, its path in the site) with the bundled style sheets (site paths) replaced
    by the bundle, at the place of the first, and documentation_options.js written in. A sheet
    the bundle does not hold (one an extension adds to a single page) keeps its own link."""
    head, sep, rest = html.partition("</head>")
    folder = posixpath.dirname(page)
    out, placed, end = [], False, 0
    for link in STYLESHEET_LINK.finditer(head):
        target = HREF.search(link.group(0))
        path = posixpath.normpath(posixpath.join(folder, target.group(1))) if target else None
        if path not in bundled and path != BUNDLE:
            continue
        out.append(head[end:link.start()])
        if not placed:
            indent = re.match(r"[ \t]*", link.group(0)).group(0)
            out.append(f'{indent}<link rel="stylesheet" href="{href}" />\n')
            placed = True
        end = link.end()
    head = "".join(out) + head[end:]
    head = OPTIONS_SCRIPT.sub(lambda m: f"<script>{options}</script>", head)
    return head + sep + rest


WRITTEN: set[str] = set()  # the pages this build has written


def note_written(app, pagename, templatename, context, doctree):
    WRITTEN.add(pagename)


def bundle_styles(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if not WRITTEN and (Path(app.doctreedir) / "peaceops-styles.json").is_file() and (Path(app.outdir) / BUNDLE).is_file():
        return  # no page written (a rebuild with no change): every page already points at the bundle
    WRITTEN.clear()
    site = Path(app.outdir)
    sources = sheets(app)
    options = (site / "_static" / "documentation_options.js").read_text(encoding="utf-8").strip()
    # Each page as it will be, bar the bundle's digest: the words of a page the last build already
    # linked to the bundle are those of a page just written, so the same site gives the same bundle.
    pages = {}
    for page in _page_files(app):
        path = page.relative_to(site).as_posix()
        href = posixpath.relpath(BUNDLE, posixpath.dirname(path) or ".")
        pages[page] = (href, one_stylesheet(page.read_text(encoding="utf-8"), path, set(sources), href, options))
    scripts = set()
    for page, (_, html) in pages.items():
        for src in SCRIPT_SRC.findall(html):
            script = (page.parent / src).resolve()
            if not re.match(r"^[a-z][a-z0-9+.-]*:", src) and script.is_file():
                scripts.add(script)
    texts = [html for _, html in pages.values()] + [s.read_text(encoding="utf-8") for s in sorted(scripts)]
    words, prefixes = vocabulary(texts)
    # Parsing 560 kB of CSS and cutting three fonts took 1.5 s of every build, a rebuild with no
    # change too. The same sheets and the same words give the same bundle: it is kept, with a
    # record of what it was made from, until one of them changes.
    made_from = hashlib.sha256(Path(__file__).read_bytes() + "\0".join(sources).encode())
    named = set()  # every .class and #id written in the site's sheets (those @imported too)
    for sheet in sorted(p for p in (site / "_static").rglob("*.css") if p != site / BUNDLE):
        css = sheet.read_text(encoding="utf-8")
        made_from.update(sheet.relative_to(site).as_posix().encode() + b"\0" + css.encode())
        named.update(SELECTOR_NAME.findall(css))
    # Only the words a selector could name count: new prose ("a sentence added") changes nothing.
    made_from.update("\0".join(sorted(words & named)).encode() + b"\1" + "\0".join(prefixes).encode())
    record = Path(app.doctreedir) / "peaceops-styles.json"
    text = _kept_bundle(site, record, made_from.hexdigest())
    if text is None:
        text = subset_icon_fonts(site, bundle_for(site, sources, words, prefixes))
        (site / BUNDLE).write_text(text, encoding="utf-8")
        record.write_text(json.dumps({"made_from": made_from.hexdigest(), "bundle": _sha(text)}), encoding="utf-8")
    digest = url_digest(text.encode())
    for page, (href, html) in pages.items():
        html = html.replace(f'href="{href}"', f'href="{href}?digest={digest}"', 1)
        if html != page.read_text(encoding="utf-8"):
            page.write_text(html, encoding="utf-8")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def url_digest(data: bytes) -> str:
    """The digest a bundle's or font's URL carries (`?digest=`), so browsers may keep the file."""
    return hashlib.sha256(data).hexdigest()[:20]


def _kept_bundle(site: Path, record: Path, made_from: str) -> str | None:
    """The bundle the last build made, if it was made from the same inputs and it and its fonts
    are in the site as that build left them."""
    try:
        kept = json.loads(record.read_text(encoding="utf-8"))
        text = (site / BUNDLE).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    fonts = re.findall(r"url\(([\w.-]+\.woff2)\?digest=(\w+)\)", text)
    if (kept.get("made_from") != made_from or kept.get("bundle") != _sha(text)
            or not all(_font_digest(site / posixpath.dirname(BUNDLE) / name) == digest for name, digest in fonts)):
        return None
    return text


def _font_digest(path: Path) -> str | None:
    return url_digest(path.read_bytes()) if path.is_file() else None


def setup(app):
    # after the theme and myst-nb, which write pygments.css and mystnb.*.css when the build finishes
    app.connect("html-page-context", note_written)
    app.connect("build-finished", bundle_styles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
