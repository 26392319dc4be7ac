"""The import rules of DESIGN.md are enforced by lint-imports; prove it catches a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bench", "kiosk", "ui", "realparts", "card_reader", "printing")


def lint_imports_with(tmp_path: Path, module: str, source: str) -> subprocess.CompletedProcess[str]:
    """Run lint-imports over a copy of the packages with one extra module added."""
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_repository_keeps_every_contract(tmp_path: Path) -> None:
    result = lint_imports_with(tmp_path, "kiosk/_probe.py", "import kiosk.domain\n")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("kiosk/_probe.py", "import PySide6.QtWidgets\n", "Qt only in ui/"),
        ("kiosk/_probe.py", "import ui\n", "Layers"),
        ("card_reader/_probe.py", "import sqlalchemy\n", "card_reader talks to cards only"),
        ("printing/_probe.py", "import kiosk.config\n", "Layers"),
        # bench measures the product from outside: only the console script names it.
        ("kiosk/_probe.py", "import bench.session\n", "Layers"),
        ("ui/_probe.py", "import bench.stats\n", "Layers"),
        ("card_reader/_probe.py", "import bench\n", "Layers"),
        # The harnesses for real parts serve tests, bench and demo, never the core.
        ("kiosk/_probe.py", "import realparts.pcscd\n", "Layers"),
        ("printing/_probe.py", "import realparts.printer\n", "Layers"),
        # The session reaches the card, the store and the printer only through its ports.
        ("kiosk/session/_probe.py", "import kiosk.services\n", "only through its ports"),
        ("kiosk/session/_probe.py", "import card_reader.sscard\n", "only through its ports"),
        ("kiosk/session/_probe.py", "import card_reader.backends.pcsc\n", "through its ports"),
        ("kiosk/session/_probe.py", "import sqlalchemy\n", "only through its ports"),
        ("kiosk/session/_probe.py", "import printing.receipt\n", "only through its ports"),
    ],
)
def test_a_forbidden_import_fails_the_build(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    result = lint_imports_with(tmp_path, module, source)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout
    assert "_probe" in result.stdout
