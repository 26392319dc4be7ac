"""Receipts for the demo people, and the poppler / zbar tools that read them like a person."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from kiosk.domain import MaskingRules, ReceiptData
from kiosk.services import AccountService
from kiosk.store.engine import make_engine
from kiosk.store.seeding import create_store
from printing.receipt import register_fonts

NOW = datetime(2026, 11, 24, 10, 30, 5)
# Every demo person whose card opens the accounts (the others are refused before printing).
ACTIVE_CARDS = {
    "A32010001": "张伟",
    "B32010002": "王喆",
    "C36042603": "李堃",
    "D65010004": "阿卜杜热合曼·买买提依明·艾力克木",
    "E12010005": "赵玥",
}
ZHANG = "A32010001"
DPI = 203


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('receipt-store') / 'demo.sqlite3'}"
    create_store(url, NOW, persons=0, years=2, seed=1)
    return url


@pytest.fixture(scope="session")
def account_service(
    demo_store: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccountService]:
    register_fonts()
    service = AccountService(
        make_engine(demo_store, 3.0),
        "kiosk-07",
        lambda: NOW,
        outbox_path=tmp_path_factory.mktemp("outbox") / "outbox.sqlite3",
        audit=False,
        kiosk_location="示范社区卫生服务中心 Demo Community Health Centre",
    )
    try:
        yield service
    finally:
        service.close()


@pytest.fixture(scope="session")
def receipt_for(account_service: AccountService) -> Callable[..., ReceiptData]:
    """card number (+ entries, language, masking) -> its ReceiptData at NOW."""

    def build(
        card: str,
        entries: int = 10,
        language: str = "zh",
        masking: MaskingRules | None = None,
    ) -> ReceiptData:
        return account_service.receipt_data(
            card,
            NOW,
            f"kiosk-07-20261124-{entries:04d}",
            masking or MaskingRules(),
            entries=entries,
            language=language,
        )

    return build


def pdf_text(pdf: bytes, layout: bool = False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def raster(pdf: bytes, folder: Path, name: str = "page", mono: bool = True) -> Path:
    """The page as a thermal printer sees it: 203 dpi, black and white, PNG."""
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    args = ["pdftoppm", "-r", str(DPI), *(["-mono"] if mono else []), "-png", "-singlefile"]
    subprocess.run([*args, str(source), str(folder / name)], check=True)
    return folder / f"{name}.png"


def black_columns(png: Path) -> tuple[int, int, int]:
    """(image width, first and last column holding a black pixel)."""
    image = Image.open(png).convert("L")
    black = image.point(lambda value: 255 if value < 128 else 0)
    box = black.getbbox()
    assert box is not None, "nothing drawn"
    return image.size[0], box[0], box[2] - 1


def decode_qr(png: Path) -> list[str]:
    result = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, check=False)
    return [line for line in result.stdout.decode().splitlines() if line]
