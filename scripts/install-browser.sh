#!/usr/bin/env bash
# Debian's Chromium for the end-to-end tests (Playwright drives it; never `playwright install`).
# Idempotent and quiet: does nothing when /usr/bin/chromium is already there; apt's output is shown
# only when it fails.
set -euo pipefail

[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: /usr/bin/chromium is missing; as root run: apt-get install chromium chromium-driver" >&2
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-liberation; } >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
echo "install-browser: installed $(dpkg-query -W -f='${Version}' chromium) at /usr/bin/chromium"
