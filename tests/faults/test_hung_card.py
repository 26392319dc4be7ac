"""A card that stops answering at every APDU position of a session, through pcscd + vpcd.

The same drill `kiosk bench --only faults` times (bench/faults.py): the card goes mute at
APDU N; the person types the PIN if the pad comes, prints if the overview comes, and takes
the card when asked; then the next person's card goes into the SAME reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.faults import GOAL_CLEAR_S, GOAL_NEXT_PIN_PAD_S, drill, faults_rig
from kiosk.session.view import ProblemKind, State
from realparts.pcscd import VpcdReader

pytestmark = pytest.mark.integration


def test_a_card_mute_at_any_apdu_ends_in_a_clear_screen_and_the_next_card_is_served(
    vpcd_reader: VpcdReader, tmp_path: Path, fault_sqlite_url: str
) -> None:
    rig = faults_rig(tmp_path, fault_sqlite_url)
    try:
        outcomes = drill(rig, vpcd_reader)
    finally:
        rig.close()
    *hung, receipt = outcomes
    assert len(hung) >= 6  # SELECT, tries, EF05, EF06 records, VERIFY: every one of them
    for outcome in hung:
        where = f"mute from APDU {outcome.position}"
        assert outcome.ended_in is State.CARD_PROBLEM, where
        assert outcome.problem is ProblemKind.NOT_RESPONDING, where
        assert any("卡片没有响应" in words for words in outcome.words), (where, outcome.words)
        assert outcome.clear_s is not None, where
        assert outcome.clear_s < GOAL_CLEAR_S, where
        assert outcome.next_pin_pad_s < GOAL_NEXT_PIN_PAD_S, where
        assert outcome.next_served, where
    # Mute after the PIN check: nothing more is sent to the card, the receipt prints.
    assert receipt.ended_in is State.TAKE_CARD
    assert receipt.clear_s is None
    assert receipt.next_served
