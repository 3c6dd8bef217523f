"""Core ledger: the journal and the tables projected from it.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 08:05:38.578155
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.CHAR(length=64), nullable=False),
    sa.Column('entry_hash', sa.CHAR(length=64), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_journal')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_journal_entry_hash'))
    )
    op.create_table('athlete',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('nationality', sa.String(length=3), nullable=True),
    sa.Column('born', sa.SmallInteger(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_athlete_seq_journal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_athlete'))
    )
    op.create_table('event',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_event_seq_journal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('slug', name=op.f('uq_event_slug'))
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_source_seq_journal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('slug', name=op.f('uq_source_slug'))
    )
    op.create_table('alias',
    sa.Column('athlete_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['athlete_id'], ['athlete.id'], name=op.f('fk_alias_athlete_id_athlete')),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_alias_seq_journal')),
    sa.PrimaryKeyConstraint('athlete_id', 'key', name=op.f('pk_alias'))
    )
    with op.batch_alter_table('alias', schema=None) as batch_op:
        batch_op.create_index('ix_alias_key', ['key'], unique=False)

    op.create_table('race',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('distance_m', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_race_event_id_event')),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_race_seq_journal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_race')),
    sa.UniqueConstraint('slug', name=op.f('uq_race_slug'))
    )
    with op.batch_alter_table('race', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_race_event_id'), ['event_id'], unique=False)

    op.create_table('category',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('race_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('division', sa.String(length=100), nullable=True),
    sa.Column('age_min', sa.SmallInteger(), nullable=True),
    sa.Column('age_max', sa.SmallInteger(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['race_id'], ['race.id'], name=op.f('fk_category_race_id_race')),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_category_seq_journal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('slug', name=op.f('uq_category_slug'))
    )
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_race_id'), ['race_id'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('athlete_id', sa.Integer(), nullable=True),
    sa.Column('unnamed', sa.Text(), nullable=True),
    sa.Column('as_written', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('time_ms', sa.Integer(), nullable=True),
    sa.Column('time_decimals', sa.SmallInteger(), nullable=False),
    sa.Column('net_time_ms', sa.Integer(), nullable=True),
    sa.Column('net_time_decimals', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=3), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('retrieved', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['athlete_id'], ['athlete.id'], name=op.f('fk_claim_athlete_id_athlete')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_claim_category_id_category')),
    sa.ForeignKeyConstraint(['seq'], ['journal.seq'], name=op.f('fk_claim_seq_journal')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_claim_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim'))
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index('ix_claim_athlete', ['category_id', 'athlete_id', 'position', 'status', 'time_ms', 'net_time_ms'], unique=False)
        batch_op.create_index('ix_claim_athlete_id', ['athlete_id'], unique=False)
        batch_op.create_index('ix_claim_placing', ['category_id', 'position', 'athlete_id', 'source_id', 'time_ms'], unique=False)
        batch_op.create_index('ix_claim_source', ['source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_source')
        batch_op.drop_index('ix_claim_placing')
        batch_op.drop_index('ix_claim_athlete_id')
        batch_op.drop_index('ix_claim_athlete')

    op.drop_table('claim')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_race_id'))

    op.drop_table('category')
    with op.batch_alter_table('race', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_race_event_id'))

    op.drop_table('race')
    with op.batch_alter_table('alias', schema=None) as batch_op:
        batch_op.drop_index('ix_alias_key')

    op.drop_table('alias')
    op.drop_table('source')
    op.drop_table('event')
    op.drop_table('athlete')
    op.drop_table('journal')
