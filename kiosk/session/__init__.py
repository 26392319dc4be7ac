"""The kiosk session: one state machine from card in to card out, in plain Python (no Qt).

`Session` (front.py) is what the UI talks to; the flow is the table in table.py; the parts:
core.py (the View, background jobs, the card entry), reading.py (card in to balance),
accounts.py (the account screens and the receipt), maintenance.py. It reaches the card, the
store and the printer only through the ports in ports.py.
"""

from kiosk.session.front import Session

__all__ = ["Session"]
