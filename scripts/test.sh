#!/usr/bin/env bash
# Set everything up on a fresh machine, then lint, type-check, check the import rules and
# run the whole test suite (real pcscd+vpcd, PostgreSQL and cupsd are started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
# One command a line: under `set -e` a failure before the last `&&` of a list does not
# stop the script (a lint error once passed CI that way).
echo "== ruff";        ruff check .
echo "== ruff format"; ruff format --check .
echo "== mypy";        mypy
echo "== import rules"; lint-imports
echo "== pytest";      pytest "$@"
