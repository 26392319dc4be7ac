"""Printed documents: the digest of every certificate and receipt, so anyone can verify a slip.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:00:00.000000

(Being written: issue 17's insurance certificate and verification service.)
"""

from __future__ import annotations

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
