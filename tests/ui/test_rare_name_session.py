"""A card whose holder's name has a four-byte GB 18030 character (吉𠮷祥), from card to slip."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from card_reader.simulator import profile
from kiosk.session.view import State
from tests.ui.conftest import KioskUnderTest

UNMASKED = "[privacy]\nmask_name = false\n"


def test_a_four_byte_gb18030_name_reads_shows_and_prints(
    make_kiosk: Callable[..., KioskUnderTest], tmp_path: Path
) -> None:
    expected = profile("rare-name").raw
    assert any(ord(char) > 0xFFFF for char in expected["name"])
    kiosk = make_kiosk(UNMASKED)
    kiosk.signed_in("rare-name", expected["pin"])
    assert any(expected["name"] in text for text in kiosk.visible_texts())
    kiosk.window.grab().save(str(tmp_path / "overview.png"))
    kiosk.tap("打印凭条")
    kiosk.wait_for(State.TAKE_CARD)
    slips = sorted((tmp_path / "receipts").glob("*.pdf"))
    assert slips, "no receipt in the spool"
    text = subprocess.run(
        ["pdftotext", "-layout", str(slips[-1]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert expected["name"] in text
    assert "?" not in text.split(expected["name"])[0].splitlines()[-1]
    region = expected["region_code"]
    assert any(region in line and "发卡地区" in line for line in text.splitlines())
