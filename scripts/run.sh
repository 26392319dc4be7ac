#!/usr/bin/env bash
# Set everything up, then run the kiosk on its embedded defaults: the virtual card reader,
# a SQLite store with demo data (seeded on first use) and PDF receipts in var/receipts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No screen here (DISPLAY and WAYLAND_DISPLAY are unset)."
  echo "Walk the scripted demo offscreen and look at the PNGs instead:"
  echo "  .venv/bin/kiosk demo --headless --out out/demo"
  exec .venv/bin/kiosk demo --headless --out out/demo
fi
exec .venv/bin/kiosk demo "$@"
