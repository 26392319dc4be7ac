"""Loss reports made without the card, the service password, and remote-care filing requests.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 18:00:00.000000

(Being written: issue 17's lost-card report and remote-care filing request.)
"""

from __future__ import annotations

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
