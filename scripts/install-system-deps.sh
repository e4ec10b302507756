#!/usr/bin/env bash
# System packages the tests need that pip cannot install: Debian chromium, for the test
# that renders report.html in a real headless browser (tests/test_report_html.py).
# Idempotent; run as root (CI runs it from .ci/run before `make test`).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
