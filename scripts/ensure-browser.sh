#!/usr/bin/env bash
# Install Debian's Chromium (for the browser tests) if it is missing. Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: chromium is missing and cannot be installed here (need root and apt-get);" \
       "the browser tests will be skipped outside CI" >&2
  exit 0
fi
echo "ensure-browser: installing chromium from Debian's packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
