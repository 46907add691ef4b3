#!/bin/sh
# Make sure a program the course takes from Debian is here. Exit 0 if one of PROGRAM... is found;
# otherwise install PACKAGE with apt when we can (as root on Debian/Ubuntu: a fresh container or
# CI); otherwise say what it is for and how to install it by hand, and exit 1.
# Usage: sh tools/ensure_program.sh PACKAGE "what it is for" "how to install it by hand" PROGRAM...
# A PROGRAM is a command name or an absolute path (an empty one is skipped).
set -e
package=$1; purpose=$2; by_hand=$3
shift 3
for program in "$@"; do
  case $program in
    "") ;;
    /*) if [ -x "$program" ]; then exit 0; fi ;;
    *) if command -v "$program" >/dev/null 2>&1; then exit 0; fi ;;
  esac
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing $package for $purpose (apt-get install $package)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  exit 0
fi
echo "$purpose need $package, which is not installed. Install it ($by_hand), then run make again." >&2
exit 1
