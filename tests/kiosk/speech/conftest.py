"""Fixtures for the speech tests: the session tests' seeded demo store and Kiosk on it."""

from __future__ import annotations

from tests.kiosk.session.conftest import accounts, kiosk, store_url

__all__ = ["accounts", "kiosk", "store_url"]
