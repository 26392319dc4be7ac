"""The accounts schema: persons, cards, accounts, ledger, quotas, contributions, family aid,
remote filings, audit events and kiosk heartbeats.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 21:41:00.154965
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', kiosk.store.types.timestamp(), nullable=False),
    sa.Column('kiosk_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('card_hash', sa.String(length=32), nullable=True),
    sa.Column('event_key', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('event_key', name=op.f('uq_audit_event_event_key'))
    )
    op.create_table('kiosk_heartbeat',
    sa.Column('kiosk_id', sa.String(length=64), nullable=False),
    sa.Column('last_seen', kiosk.store.types.timestamp(), nullable=False),
    sa.Column('reader_state', sa.String(length=32), nullable=False),
    sa.Column('printer_state', sa.String(length=32), nullable=False),
    sa.Column('paper_left_mm', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosk_heartbeat'))
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('province', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('institution',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_institution_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution')),
    sa.UniqueConstraint('code', name=op.f('uq_institution_code'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('citizen_id', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('insurance_type', sa.String(length=16), nullable=False),
    sa.Column('home_region', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['home_region'], ['region.code'], name=op.f('fk_person_home_region_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('citizen_id', name=op.f('uq_person_citizen_id'))
    )
    op.create_table('account',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('balance', kiosk.store.types.Money(), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('updated_at', kiosk.store.types.timestamp(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_account_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_account'))
    )
    op.create_table('card',
    sa.Column('card_number', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', kiosk.store.types.timestamp(), nullable=True),
    sa.Column('replaced_by', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_card_person_id_person')),
    sa.PrimaryKeyConstraint('card_number', name=op.f('pk_card'))
    )
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_person_id'), ['person_id'], unique=False)

    op.create_table('contribution',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('base', kiosk.store.types.Money(), nullable=False),
    sa.Column('employee', kiosk.store.types.Money(), nullable=False),
    sa.Column('employer', kiosk.store.types.Money(), nullable=False),
    sa.Column('to_personal_account', kiosk.store.types.Money(), nullable=False),
    sa.Column('arrived_at', kiosk.store.types.timestamp(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_contribution_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'period', name=op.f('pk_contribution'))
    )
    op.create_table('family_binding',
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['person.id'], name=op.f('fk_family_binding_beneficiary_id_person')),
    sa.ForeignKeyConstraint(['payer_id'], ['person.id'], name=op.f('fk_family_binding_payer_id_person')),
    sa.PrimaryKeyConstraint('payer_id', 'beneficiary_id', name=op.f('pk_family_binding'))
    )
    with op.batch_alter_table('family_binding', schema=None) as batch_op:
        batch_op.create_index('ix_family_binding_beneficiary_id', ['beneficiary_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('entry_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('posted_at', kiosk.store.types.timestamp(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('amount', kiosk.store.types.Money(), nullable=False),
    sa.Column('balance_after', kiosk.store.types.Money(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('pooled_amount', kiosk.store.types.Money(), nullable=False),
    sa.Column('quota_used', kiosk.store.types.Money(), nullable=False),
    sa.Column('counterpart_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['counterpart_id'], ['person.id'], name=op.f('fk_ledger_entry_counterpart_id_person')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_ledger_entry_institution_id_institution')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_ledger_entry_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'entry_no', name=op.f('pk_ledger_entry')),
    sqlite_with_rowid=False
    )
    op.create_table('outpatient_quota',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('quota_limit', kiosk.store.types.Money(), nullable=False),
    sa.Column('used', kiosk.store.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outpatient_quota_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'year', name=op.f('pk_outpatient_quota'))
    )
    op.create_table('remote_filing',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('filing_type', sa.String(length=16), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_remote_filing_person_id_person')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_remote_filing_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_filing'))
    )
    with op.batch_alter_table('remote_filing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_filing_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('remote_filing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_filing_person_id'))

    op.drop_table('remote_filing')
    op.drop_table('outpatient_quota')
    op.drop_table('ledger_entry')
    with op.batch_alter_table('family_binding', schema=None) as batch_op:
        batch_op.drop_index('ix_family_binding_beneficiary_id')

    op.drop_table('family_binding')
    op.drop_table('contribution')
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_person_id'))

    op.drop_table('card')
    op.drop_table('account')
    op.drop_table('person')
    op.drop_table('institution')
    op.drop_table('region')
    op.drop_table('kiosk_heartbeat')
    op.drop_table('audit_event')
