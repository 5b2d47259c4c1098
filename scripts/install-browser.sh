#!/usr/bin/env bash
# Install the browser the UI tests drive (tests/ui): Debian's `chromium` package, never a downloaded build
# (Playwright drives it by executable path; `playwright install` is not used). Idempotent: does nothing when
# the browser is already there. Prints the browser's path.
#
#   scripts/install-browser.sh            # installs /usr/bin/chromium if missing (needs root or sudo)
#   CHROMIUM=/path/to/chromium scripts/install-browser.sh   # use another binary; only checked
set -euo pipefail

browser="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$browser" ]; then
    if [ -n "${CHROMIUM:-}" ]; then
        echo "install-browser: CHROMIUM=$browser is not an executable file" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-browser: $browser is missing and apt-get is not available; install Chromium and set CHROMIUM" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "install-browser: need root (or sudo) to apt-get install chromium" >&2; exit 1; }
        sudo="sudo"
    fi
    echo "install-browser: installing Debian's chromium (apt-get)…" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
    if [ ! -x "$browser" ]; then
        echo "install-browser: apt-get finished but $browser is still missing" >&2
        exit 1
    fi
fi

"$browser" --version >&2
echo "$browser"
