"""The last entry that can change each race's and event's pages, and pages across them (`scope_seq`).

The web view kept a page until any entry was recorded; it now keeps it until an entry that can
change it is (ledger.projection.scopes says which). The table is derived: this fills it for a
ledger recorded before, from the rows earlier entries made, as replaying the journal would (each
scope's newest entry; `verify --deep` compares the two). The journal is untouched.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Kinds whose entries touch a race or event (or, `athlete`, no page): any other kind is across.
SCOPED = ("event", "race", "category", "athlete", "claim", "import", "cite", "retract", "rule", "entrants",
          "finish", "figure", "figure-retract", "figure-rule")
# (slug, newest seq) of what each entry made or changed, by the event, race or category it lies in.
TOUCHED = [
    "SELECT slug, seq FROM event",
    "SELECT slug, seq FROM race",
    "SELECT slug, seq FROM category",
    "SELECT parent.slug, MAX(child.seq) FROM category AS child "
    "JOIN category AS parent ON child.derived_from_id = parent.id GROUP BY parent.slug",
    "SELECT category.slug, MAX(claim.seq) FROM claim JOIN category ON claim.category_id = category.id "
    "GROUP BY category.slug",
    "SELECT category.slug, MAX(claim.retracted_seq) FROM claim JOIN category ON claim.category_id = category.id "
    "WHERE claim.retracted_seq IS NOT NULL GROUP BY category.slug",
    "SELECT category.slug, MAX(citation.seq) FROM citation JOIN claim ON citation.claim_id = claim.id "
    "JOIN category ON claim.category_id = category.id GROUP BY category.slug",
    "SELECT category.slug, MAX(ruling.seq) FROM ruling JOIN category ON ruling.category_id = category.id "
    "GROUP BY category.slug",
    "SELECT category.slug, MAX(import_file.seq) FROM import_file JOIN category ON import_file.category_id = category.id "
    "GROUP BY category.slug",
    "SELECT race.slug, MAX(entrant.seq) FROM entrant JOIN race ON entrant.race_id = race.id GROUP BY race.slug",
]
# (subject, its kind, newest seq) of the entries that recorded, retracted or ruled on figures.
FIGURES = [
    "SELECT subject, subject_kind, MAX(seq) FROM figure GROUP BY subject, subject_kind",
    "SELECT subject, subject_kind, MAX(retracted_seq) FROM figure WHERE retracted_seq IS NOT NULL "
    "GROUP BY subject, subject_kind",
    "SELECT figure.subject, figure.subject_kind, MAX(figure_ruling.seq) FROM figure_ruling "
    "JOIN figure ON figure_ruling.figure_id = figure.id GROUP BY figure.subject, figure.subject_kind",
]


def upgrade() -> None:
    op.create_table(
        "scope_seq",
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("journal.seq"), nullable=False),
    )
    bind = op.get_bind()
    newest: dict[tuple[str, str], int] = {}

    def moved(kind: str, scope: str, seq: int | None) -> None:
        if seq is not None and seq > newest.get((kind, scope), 0):
            newest[(kind, scope)] = seq

    def touched(slug: str, seq: int) -> None:
        parts = slug.split("/")
        moved("event", parts[0], seq)
        if len(parts) > 1:
            moved("race", "/".join(parts[:2]), seq)

    for query in TOUCHED:
        for slug, seq in bind.execute(sa.text(query)):
            touched(slug, seq)
    races = bind.execute(sa.text("SELECT slug FROM race")).scalars().all()
    for query in FIGURES:
        for subject, kind, seq in bind.execute(sa.text(query)):
            if kind == "topic":
                moved("across", "", seq)
            elif kind == "event":  # shown on every race of the event: later races are newer anyway
                touched(subject, seq)
                for race in races:
                    if race.startswith(subject + "/"):
                        touched(race, seq)
            else:
                touched(subject, seq)
    across = bind.execute(sa.text("SELECT MAX(seq) FROM journal WHERE kind NOT IN :kinds")
                          .bindparams(sa.bindparam("kinds", expanding=True)), {"kinds": list(SCOPED)}).scalar()
    moved("across", "", across)
    if newest:
        op.bulk_insert(sa.table("scope_seq", sa.column("kind"), sa.column("scope"), sa.column("seq")),
                       [{"kind": kind, "scope": scope, "seq": seq} for (kind, scope), seq in sorted(newest.items())])


def downgrade() -> None:
    op.drop_table("scope_seq")
