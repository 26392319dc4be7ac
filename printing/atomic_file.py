"""Small files (paper counter, receipt serials, the compiled words) replaced whole, never
half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: str | bytes, mode: int | None = None) -> None:
    """Write `content` (text as UTF-8) to a temporary file beside `path`, sync it, then rename
    it over `path`: a power cut leaves the old content or the new, never a torn file. `mode`
    replaces mkstemp's owner-only permissions for files others must read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
