"""Strict harness shared by every test: offscreen Qt, no stray config, no leaked secrets."""

from __future__ import annotations

import os

# Set before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("KIOSK_CONFIG", None)
os.environ.pop("KIOSK_STORE_URL", None)

pytest_plugins = ["tests.realparts.plugin"]
