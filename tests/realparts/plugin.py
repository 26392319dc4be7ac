"""Fixtures that start real parts for the tests themselves, one module per part."""

pytest_plugins = [
    "tests.realparts.pcscd",
    "tests.realparts.postgres",
    "tests.realparts.cups",
]
