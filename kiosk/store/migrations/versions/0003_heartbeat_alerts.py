"""Kiosk heartbeats carry the kiosk's own alerts: a stalled part, a card left behind, audit
rows held in memory, a damaged receipt key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alerts', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeat', schema=None) as batch_op:
        batch_op.drop_column('alerts')
