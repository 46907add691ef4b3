#!/usr/bin/env python3
"""Copy the front-end files the built pages need from node_modules/ (installed by `npm ci`
from package.json and package-lock.json) into _assets/vendor/, which the book serves as
_static/vendor/. Nothing third-party is committed; this runs before every build."""
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "_assets" / "vendor"

# destination (under _assets/vendor) -> source (under node_modules)
FILES = {
    "require.js": "requirejs/require.js",
    "html-manager/embed-amd.js": "@jupyter-widgets/html-manager/dist/embed-amd.js",
    "anywidget/index.js": "anywidget/dist/index.js",
    "anywidget/LICENSE": "anywidget/LICENSE",
}
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".eot", ".svg"}


def main() -> int:
    missing = [src for src in FILES.values() if not (NODE / src).is_file()]
    if missing:
        print("vendor_assets: missing in node_modules/: " + ", ".join(missing) +
              ". Fix: run `npm ci` in the course folder (make does this for you).", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for dest, src in FILES.items():
        (VENDOR / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, VENDOR / dest)
    # The bundle's modules ask for their icon fonts next to their own module ids, which
    # _assets/require-config.js maps under vendor/jupyter-widgets/: "@jupyter-widgets/base"
    # looks in its folder, "@jupyter-widgets/html-manager/dist/libembed-amd" in dist/.
    for fonts in (VENDOR / "jupyter-widgets", VENDOR / "jupyter-widgets" / "html-manager" / "dist"):
        fonts.mkdir(parents=True, exist_ok=True)
        for font in (NODE / "@jupyter-widgets/html-manager/dist").iterdir():
            if font.suffix in FONT_SUFFIXES:
                shutil.copyfile(font, fonts / font.name)
    print(f"vendor_assets: copied {sum(1 for _ in VENDOR.rglob('*') if _.is_file())} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
