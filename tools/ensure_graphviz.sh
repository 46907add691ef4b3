#!/bin/sh
# The book's figures are drawn at build time by Graphviz's `dot` (peaceops/figures.py). Install
# it with apt when we can, as tools/ensure_chromium.sh does for Chromium; otherwise say what to do.
set -e
if command -v dot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Graphviz to draw the figures (apt-get install graphviz)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  exit 0
fi
echo "The book's figures need Graphviz. Install it (Debian/Ubuntu: sudo apt-get install graphviz;" >&2
echo "macOS: brew install graphviz), then run make again." >&2
exit 1
