"""`raceledger history`: every journal entry that touched a scope or a claim, in order, summarised.

What touched what is read from the derived tables' `seq` columns (the entry that made a row, the
entry that retracted a claim), which `verify --deep` proves match the journal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import Select, case, distinct, func, or_, select, union
from sqlalchemy.orm import Session

from ledger.core import limits
from ledger.core.models import (
    Athlete,
    Category,
    Citation,
    Entrant,
    Claim,
    Event,
    Figure,
    FigureRuling,
    ImportFile,
    JournalEntry,
    Race,
    Reliance,
    Ruling,
    Source,
    Topic,
)
from ledger.core.times import format_ms
from ledger.projection import lookup
from ledger.read import figures

Body = dict[str, Any]


def _result_parts(body: Body) -> list[str]:
    parts = [f"position {body['position']}"] if "position" in body else []
    for key, label in (("time_ms", "time"), ("net_time_ms", "net time")):
        if key in body:
            parts.append(f"{label} {format_ms(body[key], body.get(key.replace('_ms', '_decimals'), 0))}")
    if body.get("status", "FIN") != "FIN":
        parts.append(" ".join(filter(None, (body["status"], body.get("status_note")))))
    return parts


def _claim(body: Body, names: dict[int, str]) -> str:
    if "unnamed" in body:
        who = f"(unnamed: {body['unnamed']})"
    else:  # a claim naming its athlete by #ID keeps no name as written
        who = body.get("as_written") or names.get(body["athlete"], f"#{body['athlete']}")
    via = f" (via {body['via']})" if "via" in body else ""
    return (f"claim {body['id']} in {body['category']}: {body['source']}{via} says {who}, "
            f"{', '.join(_result_parts(body))}")


def _cite(body: Body, _names: dict[int, str]) -> str:
    """`citation of claim 6: gazette https://...`: who reported it (when not the claimant), and where
    (or, without an address, the start of its words)."""
    citation = body["citation"]
    where = citation.get("url") or f'"{_shortened(citation["quote"])}"'
    return f"citation of claim {body['claim']}: " + " ".join(filter(None, (body.get("via"), where)))


def _shortened(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most - 3].rstrip() + "..."


def _source(body: Body, _names: dict[int, str]) -> str:
    relies = f"; relies on {', '.join(body['relies_on'])}" if body.get("relies_on") else ""
    return f"source {body['slug']} ({body['kind']}): {body['name']}{relies}"


def _rule(body: Body, names: dict[int, str]) -> str:
    decided = f" on {body['decided']}" if body.get("decided") else ""
    if "accept" in body:
        what = f"position {body['position']} goes to claim {body['accept']}"
    else:
        what = f"{names.get(body['athlete'], '#' + str(body['athlete']))} is {body['status']}"
    return f"ruling {body['id']} in {body['category']}: {what} (by {body['by']}{decided}: {body['reason']})"


def _athlete(body: Body, _names: dict[int, str]) -> str:
    extra = ([body["nationality"]] if "nationality" in body else []) + ([f"born {body['born']}"] if "born" in body else [])
    aliases = f"; also written {', '.join(body['aliases'])}" if body.get("aliases") else ""
    return f"athlete #{body['id']} {body['name']}" + (f" ({', '.join(extra)})" if extra else "") + aliases


def _figure(body: Body, _names: dict[int, str]) -> str:
    low, high = (f"{Decimal(body[bound]):,f}" for bound in ("low", "high"))  # 220,000, as tables say it
    amount = ("around " if body["approximately"] else "") + (low if low == high else f"{low}-{high}")
    if "period" in body:
        when = f" over {'..'.join(body['period'])}"
    else:
        when = f" at {body['at']}" if "at" in body else ""
    via = f" (via {body['via']})" if "via" in body else ""
    return (f"figure {body['id']} on {body['subject']}, {body['measure']}: {body['source']}{via} says {amount} "
            f"{body['unit']}, {body['kind']}{when}")


def _figure_rule(body: Body, _names: dict[int, str]) -> str:
    decided = f" on {body['decided']}" if body.get("decided") else ""
    return f"figure ruling {body['id']}: figure {body['accept']} holds (by {body['by']}{decided}: {body['reason']})"


SUMMARIES: dict[str, Callable[[Body, dict[int, str]], str]] = {
    "event": lambda b, _: f"event {b['slug']}: {b['name']}, {b['date']}" + (f", {b['place']}" if b.get("place") else ""),
    "race": lambda b, _: f"race {b['slug']}: {b['name']}, {b['distance_m']} m",
    "category": lambda b, _: f"category {b['slug']}: {b['name']}",
    "source": _source,
    "source-relies": lambda b, _: f"{b['source']} relies on {b['relies_on']}: {b['reason']}",
    "athlete": _athlete,
    "claim": _claim,
    "cite": _cite,
    "retract": lambda b, _: f"claim {b['claim']} retracted: {b['reason']}",
    "rule": _rule,
    "merge": lambda b, _: f"athlete #{b['other']} {b['other_name']} merged into #{b['keep']} {b['keep_name']}",
    "entrants": lambda b, _: f"start list of {b['race']} from {b['source']}: {len(b['entrants'])} entrants",
    "topic": lambda b, _: f"topic {b['slug']}: {b['name']}",
    "figure": _figure,
    "figure-retract": lambda b, _: f"figure {b['figure']} retracted: {b['reason']}",
    "figure-rule": _figure_rule,
    "origin": lambda b, _: f"the log's origin, named in its checkpoints: {b['origin']}",
}


def summary(kind: str, body_text: str | None, names: dict[int, str]) -> str:
    """One line about an entry with a small body; other kinds say only their kind."""
    if body_text is None or kind not in SUMMARIES:
        return f"{kind} entry"
    return SUMMARIES[kind](json.loads(body_text), names)


def _import_summaries(session: Session, seqs: list[int]) -> dict[int, str]:
    """An import's summary from its import_file row: its body (the whole file's rows) is not read."""
    if not seqs:
        return {}
    rows = session.execute(
        select(ImportFile.seq, ImportFile.file_name, ImportFile.row_count, ImportFile.first_claim_id,
               ImportFile.sha256, Category.slug, Source.slug)
        .join(Category, ImportFile.category_id == Category.id).join(Source, ImportFile.source_id == Source.id)
        .where(ImportFile.seq.in_(seqs)))
    return {seq: f"import of {name} ({count} rows, sha256 {sha[:12]}...) into "
                 f"{_spread(session, first, count, category, source)}: claims {first}-{first + count - 1}"
            for seq, name, count, first, sha, category, source in rows}


def _spread(session: Session, first: int, count: int, category: str, source: str) -> str:
    """`CATEGORY from SOURCE`, or, for a file of several rankings or sources (issue 22), the race and how
    many categories, or how many sources: read off the entry's claims, a range of ids."""
    found = session.execute(
        select(func.count(distinct(Claim.category_id)), func.count(distinct(Claim.source_id)))
        .where(Claim.id.between(first, first + count - 1))).one()
    into = f"{category.rsplit('/', 1)[0]} ({found[0]} categories)" if found[0] > 1 else category
    return f"{into} from {f'{found[1]} sources' if found[1] > 1 else source}"


def _under(model, scope: str):
    return or_(model.slug == scope, model.slug.startswith(scope + "/", autoescape=True))


def _scope_seqs(session: Session, scope: str) -> Select:
    """Entries that made the scope and what lies beneath it, every claim, citation, retraction and
    ruling in it, and the entries that recorded, retracted or ruled on figures about it; for a topic,
    the topic and its figures' entries."""
    if figures.is_topic(session, scope):
        return union(select(Topic.seq).where(Topic.slug == scope), *_figure_seqs(figures.in_scope(session, scope)))
    categories = [c.id for c in lookup.categories_under(session, scope)]
    return union(
        select(Event.seq).where(Event.slug == scope),
        select(Race.seq).where(_under(Race, scope)),
        select(Category.seq).where(_under(Category, scope)),
        select(Claim.seq).where(Claim.category_id.in_(categories)),
        select(Claim.retracted_seq).where(Claim.category_id.in_(categories), Claim.retracted_seq.is_not(None)),
        select(Citation.seq).join(Claim, Claim.id == Citation.claim_id).where(Claim.category_id.in_(categories)),
        select(Ruling.seq).where(Ruling.category_id.in_(categories)),
        select(Entrant.seq).join(Race, Entrant.race_id == Race.id).where(_under(Race, scope)),
        *_figure_seqs(figures.in_scope(session, scope)),
    )


def _figure_seqs(about) -> list[Select]:
    """The entries that recorded, retracted or ruled on the figures `about` picks."""
    return [select(Figure.seq).where(about),
            select(Figure.retracted_seq).where(about, Figure.retracted_seq.is_not(None)),
            select(FigureRuling.seq).where(FigureRuling.figure_id.in_(select(Figure.id).where(about)))]


def _claim_seqs(session: Session, claim_id: int) -> Select:
    """The claim's own entry, its retraction, its citations, every ruling on its placing or its
    athlete's status, and the entries that made its claimant or its reporter rely on another source."""
    claim = lookup.claim(session, claim_id)
    on_it = [Ruling.accepted_claim_id == claim.id]
    if claim.position is not None:
        on_it.append(Ruling.position == claim.position)
    if claim.athlete_id is not None:
        on_it.append(Ruling.athlete_id == claim.athlete_id)
    own = [s for s in (claim.seq, claim.retracted_seq, *_merges_of(session, claim.athlete_id)) if s]
    sources = [s for s in (claim.source_id, claim.via_id) if s is not None]
    return union(select(JournalEntry.seq).where(JournalEntry.seq.in_(own)),
                 select(Citation.seq).where(Citation.claim_id == claim.id),
                 select(Reliance.seq).where(or_(Reliance.source_id.in_(sources), Reliance.relies_on_id.in_(sources))),
                 select(Ruling.seq).where(Ruling.category_id == claim.category_id, or_(*on_it)))


def _merges_of(session: Session, athlete_id: int | None) -> list[int]:
    """Merges that made `athlete_id` who it is: into it, or of a record since merged into it."""
    if athlete_id is None:
        return []
    related = {athlete_id, *session.execute(select(Athlete.id).where(Athlete.merged_into == athlete_id)).scalars()}
    merges = session.execute(select(JournalEntry.seq, JournalEntry.body).where(JournalEntry.kind == "merge"))
    return [seq for seq, body in merges if {json.loads(body)["keep"], json.loads(body)["other"]} & related]


def _is_claim_id(session: Session, target: str) -> bool:
    """Digits name a claim, unless no claim has that id and an event has that slug (e.g. `2025`)."""
    if not (target.isascii() and target.isdecimal()):
        return False
    if len(target) <= len(str(limits.LARGEST)) and int(target) <= limits.LARGEST \
            and session.get(Claim, int(target)) is not None:
        return True
    return session.execute(select(Event.id).where(Event.slug == target)).first() is None


def entries(session: Session, target: str | None = None) -> list[dict[str, Any]]:
    """Every entry touching `target` (an event/race/category slug or a claim id; everything if None)."""
    query = select(
        JournalEntry.seq, JournalEntry.kind, JournalEntry.recorded_at, JournalEntry.recorded_by,
        case((JournalEntry.kind.in_(list(SUMMARIES)), JournalEntry.body), else_=None),
    ).order_by(JournalEntry.seq)
    if target is not None:
        target = target.strip()
        seqs = (_claim_seqs(session, limits.number_text(target, "id", "claim id")) if _is_claim_id(session, target)
                else _scope_seqs(session, target))
        query = query.where(JournalEntry.seq.in_(select(seqs.subquery().c[0])))
    rows = session.execute(query).all()
    names = _athlete_names(session, rows)
    imports = _import_summaries(session, [seq for seq, kind, *_ in rows if kind == "import"])
    return [{"seq": seq, "kind": kind, "recorded_at": at, "recorded_by": by,
             "summary": imports.get(seq) or summary(kind, body, names)}
            for seq, kind, at, by, body in rows]


def _athlete_names(session: Session, rows) -> dict[int, str]:
    """Names of the athletes that status rulings among `rows` are about, and claims name by `#ID`."""
    ids = {json.loads(body).get("athlete") for _, kind, _, _, body in rows if kind in ("rule", "claim") and body}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(Athlete.id, Athlete.name).where(Athlete.id.in_(ids))).all())
