"""docs/architecture.md's copy of the state table: `python -m kiosk.session.document FILE`
rewrites the part between the markers from kiosk/session/table.py, so it cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.session.table import as_markdown

BEGIN, END = "<!-- state-table:begin -->", "<!-- state-table:end -->"


def with_table(document: str) -> str:
    """`document` with the text between the state-table markers replaced by the table."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{as_markdown()}{END}{tail}"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
