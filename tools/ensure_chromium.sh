#!/bin/sh
# The browser tests drive Debian's Chromium (Playwright cannot download its own browser
# offline). Install it with apt when we can; otherwise say exactly what to do.
set -e
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium. Install it (Debian/Ubuntu: sudo apt-get install chromium)," >&2
echo "or point CHROMIUM at an existing Chromium or Chrome binary, then run make test again." >&2
exit 1
