#!/usr/bin/env bash
# Install Debian's headless LibreOffice Calc (a second engine that recalculates the finance
# workbook in the tests) if it is missing. Idempotent.
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-libreoffice: soffice is missing and cannot be installed here (need root and apt-get);" \
       "the LibreOffice recalculation test will be skipped outside CI" >&2
  exit 0
fi
echo "ensure-libreoffice: installing libreoffice-calc-nogui from Debian's packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  libreoffice-calc-nogui >/dev/null
