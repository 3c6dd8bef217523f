"""Imports and exchange: large journal bodies in chunks, imported files, athlete name keys.

- `journal_chunk` holds the canonical body text of large entries (a whole results file) in pieces
  of about 1 MB split at row boundaries; such an entry's `journal.body` is NULL. It is part of the
  journal, so the database refuses UPDATE and DELETE on it as on `journal`.
- `import_file` (derived) records each imported file by SHA-256, so a re-import is caught.
- `athlete.key` is the athlete's own name key: matching needs no alias row for the display name
  (the alias table keeps only the other spellings), which halves the rows a bulk import writes.
- `claim.status_note` keeps what a file wrote beside a status, e.g. the rule of a disqualification.
- Indexes on the foreign keys that point at athletes and claims (athlete.merged_into, ruling's two):
  while an import's rows wait for its journal row (SQLite, keys deferred to the commit), SQLite
  looks up every child of each row it inserts, which without them is a scan per row.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from ledger.core.names import name_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("journal_chunk",)
CHILD_INDEXES = (("athlete", "merged_into"), ("ruling", "accepted_claim_id"), ("ruling", "athlete_id"))


def _create_append_only_triggers(table: str) -> None:
    """The database itself refuses UPDATE and DELETE (as migration 0002 does for the journal)."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    else:  # raceledger_append_only() was created by migration 0002
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION raceledger_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION raceledger_append_only()"
        )


def _drop_append_only_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def _journal_triggers(create: bool) -> None:
    """SQLite rebuilds a table to change a column, and its triggers go with it: drop, then re-create."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS journal_no_{action.lower()}")
        if create:
            op.execute(f"CREATE TRIGGER journal_no_{action.lower()} BEFORE {action} ON journal "
                       f"BEGIN SELECT RAISE(ABORT, 'journal is append-only: {action} refused'); END")


def _backfill_athlete_keys() -> None:
    bind = op.get_bind()
    athletes = bind.execute(sa.text("SELECT id, name FROM athlete")).all()
    if athletes:
        bind.execute(sa.text("UPDATE athlete SET key = :key WHERE id = :id"),
                     [{"id": row.id, "key": name_key(row.name)} for row in athletes])
    # The display name now lives on the athlete row; the alias table keeps only the other spellings.
    bind.execute(sa.text("DELETE FROM alias WHERE EXISTS (SELECT 1 FROM athlete WHERE athlete.id = alias.athlete_id "
                         "AND athlete.name = alias.name AND athlete.key = alias.key)"))


def upgrade() -> None:
    op.create_table(
        "journal_chunk",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_journal_chunk_seq_journal")),
        sa.PrimaryKeyConstraint("seq", "n", name=op.f("pk_journal_chunk")),
    )
    op.create_table(
        "import_file",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("first_claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["journal.seq"], name=op.f("fk_import_file_seq_journal")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_import_file_category_id_category")),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_import_file_source_id_source")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_import_file")),
    )
    op.create_index("ix_import_file_sha256", "import_file", ["sha256", "category_id", "source_id"])

    _journal_triggers(create=False)
    with op.batch_alter_table("journal") as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)
    _journal_triggers(create=True)

    with op.batch_alter_table("athlete") as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=300), nullable=True))
    _backfill_athlete_keys()
    with op.batch_alter_table("athlete") as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
    op.create_index("ix_athlete_key", "athlete", ["key"])

    with op.batch_alter_table("claim") as batch_op:
        batch_op.add_column(sa.Column("status_note", sa.Text(), nullable=True))
    for table, column in CHILD_INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])

    for table in APPEND_ONLY_TABLES:
        _create_append_only_triggers(table)


def downgrade() -> None:
    bind = op.get_bind()
    chunked = bind.execute(sa.text("SELECT count(*) FROM journal WHERE body IS NULL")).scalar()
    if chunked:
        raise RuntimeError(f"cannot downgrade below 0003: {chunked} journal entries keep their bodies in "
                           "journal_chunk, which revision 0002 cannot hold; export the ledger first")
    for table in APPEND_ONLY_TABLES:
        _drop_append_only_triggers(table)

    for table, column in CHILD_INDEXES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table)
    with op.batch_alter_table("claim") as batch_op:
        batch_op.drop_column("status_note")

    bind.execute(sa.text("INSERT INTO alias (athlete_id, key, name, seq) SELECT id, key, name, seq FROM athlete a "
                         "WHERE NOT EXISTS (SELECT 1 FROM alias WHERE alias.athlete_id = a.id AND alias.key = a.key)"))
    op.drop_index("ix_athlete_key", "athlete")
    with op.batch_alter_table("athlete") as batch_op:
        batch_op.drop_column("key")

    _journal_triggers(create=False)
    with op.batch_alter_table("journal") as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
    _journal_triggers(create=True)

    op.drop_index("ix_import_file_sha256", "import_file")
    op.drop_table("import_file")
    op.drop_table("journal_chunk")
