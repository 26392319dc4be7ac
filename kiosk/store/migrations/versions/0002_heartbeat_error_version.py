"""Kiosk heartbeats carry the kiosk's last error and its software version.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('version', sa.String(length=32), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_heartbeat', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('last_error')
