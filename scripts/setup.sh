#!/usr/bin/env bash
# Install what a fresh Debian machine lacks for the kiosk, then the project venv.
# Idempotent: each step checks first, so a second run takes a couple of seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  swig libpcsclite-dev            # build pyscard
  pcscd libccid pcsc-tools vsmartcard-vpcd   # reader stack and the virtual reader
  fonts-wqy-zenhei                # CJK font for Qt and ReportLab
  fonts-hanazono                  # HanaMinB: names past U+FFFF (CJK Ext. B-F, e.g. 𠮷), TrueType
  poppler-utils zbar-tools        # pdftotext/pdftoppm, QR decoding for receipt checks
  cups cups-client libcups2-dev   # cupsd, lp, pycups build
  systemd                         # systemd-analyze verifies the deploy/ units in the tests
  pgbouncer                       # the fleet's connection pooler (transaction mode) in the tests
  chromium chromium-driver        # headless browser for the verification service's test
  espeak-ng sox libsox-fmt-alsa   # speech: espeak-ng voices, sox's play and stat (kiosk/speech)
  xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-cursor0 \
    libegl1 libgl1 libfontconfig1 libdbus-1-3   # Qt under Xvfb and offscreen
  at-spi2-core dbus-daemon dbus-bin util-linux \
    python3-gi gir1.2-atspi-2.0 python3-pyatspi   # the AT-SPI bus, read by Debian's python3
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# PostgreSQL 15 server binaries: skip the package when the server is already there.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ] && ! dpkg -s postgresql-15 >/dev/null 2>&1; then
  missing+=(postgresql)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
# The catalogue of words: .po (what translators edit) -> .mo (what the kiosk reads fast).
.venv/bin/python -c "from kiosk.words.catalogue import compile_all; compile_all()"
echo "setup: ready"
