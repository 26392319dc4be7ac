"""`kiosk demo`'s operator panel: put a demo card in the virtual reader, or take it out."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from card_reader.backends.base import ReaderBackend
from card_reader.backends.virtual import VirtualBackend
from card_reader.simulator.profiles import build_card, load_profiles


class DemoPanel(QWidget):
    def __init__(self, backend: ReaderBackend) -> None:
        super().__init__()
        self.setWindowTitle("Demo cards 演示卡片")
        if not isinstance(backend, VirtualBackend):
            raise TypeError("the demo panel drives the virtual reader only")
        self._backend = backend
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Insert a demo card (PIN shown) · 插入演示卡"), 0, 0, 1, 2)
        for row, profile in enumerate(load_profiles(), start=1):
            pin = profile.pin or "-"
            insert = QPushButton(f"{profile.key}  (PIN {pin})")
            insert.setAccessibleName(f"insert {profile.key}")
            insert.clicked.connect(lambda _c=False, p=profile: backend.insert(build_card(p)))
            grid.addWidget(insert, row, 0)
            grid.addWidget(QLabel(profile.description), row, 1)
        remove = QPushButton("Take the card out · 取出卡片")
        remove.setAccessibleName("remove the card")
        remove.clicked.connect(lambda _c=False: backend.remove())
        grid.addWidget(remove, len(load_profiles()) + 1, 0, 1, 2)
