"""Fixtures that start real parts (pcscd+vpcd, PostgreSQL, cupsd) for the tests themselves.

Each part lives in its own module here; this plugin only re-exports their fixtures.
"""
