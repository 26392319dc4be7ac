"""The numbers the session runs on, taken from kiosk.toml once (tests build them directly)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.admin_pin import LOCK_FILE_NAME
from kiosk.domain import MaskingRules
from kiosk.masking import rules_for

if TYPE_CHECKING:
    from kiosk.config import KioskConfig


@dataclass(frozen=True)
class SessionSettings:
    language: str = "zh"
    elderly: bool = False
    location: str = ""  # where the kiosk stands, for the start screen's header
    idle_seconds: float = 60.0
    idle_warning_seconds: float = 20.0
    take_card_reminder_seconds: float = 10.0
    pin_entry_seconds: float = 90.0
    card_read_seconds: float = 10.0
    card_command_seconds: float = 5.0  # one APDU with no answer this long: not responding
    # The longest a wait on screen may last: checking the PIN, loading a screen, the admin
    # PIN (a few APDUs and one store query), and printing (the printer's own timeouts first).
    busy_seconds: float = 15.0
    print_seconds: float = 60.0
    masking: MaskingRules = field(default_factory=MaskingRules)
    receipt_entries: int = 10
    slips_per_card_per_day: int = 5  # receipts, certificates, filing slips (kiosk.toml)
    admin_pin_hash: str = ""
    # Where wrong admin PINs' lock survives a restart (None: this run only; tests).
    admin_pin_lock_file: Path | None = None
    # Rows per page: fewer, bigger rows in elderly mode (ui.md). A history row has two lines,
    # a row of the short lists (contributions, family aid, filings, flagged) one or two.
    history_rows: int = 4
    history_rows_elderly: int = 3
    list_rows: int = 5
    list_rows_elderly: int = 3

    def page_size(self, elderly: bool) -> int:
        return self.history_rows_elderly if elderly else self.history_rows

    def list_size(self, elderly: bool) -> int:
        return self.list_rows_elderly if elderly else self.list_rows

    @classmethod
    def from_config(cls, config: KioskConfig) -> SessionSettings:
        timeouts, privacy = config.timeouts, config.privacy
        return cls(
            language=config.kiosk.language,
            location=config.kiosk.location,
            elderly=config.kiosk.elderly_mode,
            idle_seconds=timeouts.idle_seconds,
            idle_warning_seconds=timeouts.idle_warning_seconds,
            take_card_reminder_seconds=timeouts.take_card_reminder_seconds,
            pin_entry_seconds=timeouts.pin_entry_seconds,
            card_read_seconds=timeouts.card_read_seconds,
            card_command_seconds=timeouts.card_command_seconds,
            masking=rules_for(privacy),
            receipt_entries=config.printer.history_entries,
            slips_per_card_per_day=config.printer.slips_per_card_per_day,
            admin_pin_hash=config.admin.pin_hash,
            admin_pin_lock_file=config.data_dir / LOCK_FILE_NAME,
        )
