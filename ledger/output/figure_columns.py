"""Figures as tables: the figures of a scope, one figure's comparisons, figure disputes and pairs of
figures side by side; and `disputes` with placing disputes and figure disputes together.

Long texts (the rule's derivation, quotes) wrap in tables (ledger.output.render.WRAP_COLUMNS); CSV
and TSV keep them whole on one line. A table too wide for its width says what all its rows share
once above it, and the rule's derivation under it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Sequence

from ledger.output import claim_columns
from ledger.output.inert import visible
from ledger.output.render import DATA_FORMATS, Columns, render, wrapped_lines
from ledger.read.figures import LIVE, RETRACTED, Assessed, FigureRow, Pair
from ledger.read.reports import ClaimReport

AMOUNT_KEYS = ("value", "low", "high", "approximately")


def is_table(fmt: str) -> bool:
    return fmt not in DATA_FORMATS


def _standing(figure: Assessed) -> str | None:
    """`retracted: <reason>`, `accepted: <reason>`; nothing for a live figure."""
    if figure.standing == LIVE:
        return None
    return f"{figure.standing}: {figure.standing_reason}" if figure.standing_reason else figure.standing


def _amount_columns(rows: Sequence[FigureRow], wrap: bool) -> dict[str, list[Any]]:
    """A table's `around 2,750`; CSV and TSV get the exact bounds instead, as the JSON gives them."""
    if wrap:
        return {"amount": [row.amount() for row in rows]}
    return {"value": [row.low if row.low == row.high else None for row in rows], "low": [row.low for row in rows],
            "high": [row.high for row in rows], "approximately": [row.approximately for row in rows]}


def figure_table(found: Sequence[Assessed], wrap: bool = True) -> Columns:
    """One row per figure, with its verdict and, briefly, what it was compared with; a table says
    under it what the rule found of each pair, in words. A table says the amount with its unit and
    the kind with its period or date, to fit a terminal; what it compared, then the via, leave
    first when it cannot (`figure show ID` has them whole)."""
    rows = [figure.row for figure in found]
    if wrap:
        stated = {"amount": [f"{row.amount()} {row.unit}" for row in rows],
                  "kind": [f"{row.kind}, {row.when()}" for row in rows]}
    else:
        stated = {**_amount_columns(rows, wrap), "unit": [row.unit for row in rows], "kind": [row.kind for row in rows],
                  "when": [row.when() for row in rows]}
    return Columns(
        id=[row.id for row in rows], subject=[row.subject for row in rows], measure=[row.measure for row in rows],
        **stated, source=[row.source for row in rows], via=[row.via for row in rows],
        verdict=[figure.verdict for figure in found],
        compared=["; ".join(f"{c.with_id}: {c.verdict}" for c in figure.comparisons) or None for figure in found],
        standing=[_standing(figure) for figure in found],  # render wraps it (WRAP_COLUMNS)
    ).laid_out(liftable=("subject", "measure", "amount", "kind", "verdict"), optional=("compared", "via"),
               below=lambda width, _: _pairs_in_words(found, width))


def _pairs_in_words(found: Sequence[Assessed], width: int | None) -> list[str]:
    """The rule's derivation for each pair of the figures listed, once a pair."""
    listed = {figure.row.id for figure in found}
    reasons = [(f"figures {figure.row.id} and {c.with_id}, {c.verdict}", c.why) for figure in found
               for c in figure.comparisons if c.with_id > figure.row.id and c.with_id in listed]
    return _why_list(reasons, width) if reasons else []


def figure_lines(figure: Assessed, width: int | None = None) -> list[str]:
    """`figure show` above its comparisons: the figure whole, one field a line, long values wrapped
    to `width` as `claim show` wraps them (inert: a quote's line breaks escaped too)."""
    row = figure.row
    fields = [
        ("figure", f"{row.id}: {row.measure} ({row.measure_name}) of {row.subject} ({row.subject_kind})"),
        ("value", f"{row.amount()} {row.unit}"), ("kind", f"{row.kind}, {row.when()}"),
        ("method", row.method), ("source", f"{row.source} ({row.source_kind})"),
        ("via", f"{row.via} ({row.via_kind})" if row.via else None), ("url", row.url),
        ("published", row.published.isoformat() if row.published else None), ("quote", row.quote),
        ("verdict", figure.verdict), ("standing", _standing(figure)), ("ruling", _ruling(figure)),
        ("recorded", f"journal entry {row.seq}, hash {row.entry_hash}"),
    ]
    return [line for name, value in fields if value is not None
            for line in wrapped_lines(visible(value), width, " " * 11, f"{name + ':':11}")]


def _ruling(figure: Assessed) -> str | None:
    ruling = figure.ruling
    if ruling is None:
        return None
    decided = f" on {ruling.decided.isoformat()}" if ruling.decided else ""
    return f"{ruling.id} (journal entry {ruling.seq}) by {ruling.decided_by}{decided}, accepting figure {ruling.figure_id}"


def no_comparisons(figure: Assessed) -> str:
    """What `figure show` says when the figure has no comparisons."""
    if figure.verdict == RETRACTED:
        return "retracted: never weighed against the other figures"
    return "no other live figure of its subject and measure to compare with"


def comparison_table(figure: Assessed, wrap: bool = True) -> Columns:
    """A figure's comparisons, each with the rule's derivation (a table wraps it to its width; `wrap`
    is kept for callers that still say whether they want a table)."""
    compared = figure.comparisons
    return Columns(figure=[figure.row.id] * len(compared), **{"with": [c.with_id for c in compared]},
                   verdict=[c.verdict for c in compared], why=[c.why for c in compared]).laid_out(liftable=("figure",))


def dispute_table(items: Sequence[dict[str, Any]], wrap: bool = True) -> Columns:
    """Two rows per figure dispute, one per figure, the rule's derivation on the first."""
    rows = []
    for item in items:
        ruling = item["ruling"]
        pair = " and ".join(str(figure["id"]) for figure in item["figures"])  # which two rows go together
        for n, figure in enumerate(item["figures"]):
            rows.append({
                "subject": item["subject"], "measure": item["measure"], "kind": item["kind"],
                "verdict": item["verdict"], "pair": pair, "figure": figure["id"],
                **({"amount": stated_amount(figure)} if wrap else {key: figure[key] for key in AMOUNT_KEYS}),
                "unit": figure["unit"], "figure_kind": figure["kind"], "when": stated_when(figure),
                "source": figure["source"], "via": figure["via"],
                "why": item["why"] if n == 0 else None,
                "ruling": f"{ruling['decided_by']}: {ruling['reason']}" if ruling and n == 0 else None,
            })
    below = [(f"{item['subject']} {item['measure']}, figures {' and '.join(str(f['id']) for f in item['figures'])}",
              item["why"]) for item in items]
    return Columns.of_rows(rows).laid_out(
        liftable=("subject", "measure", "kind", "verdict", "pair", "unit", "figure_kind"), optional=("why",),
        below=lambda width, dropped: _why_list(below, width) if "why" in dropped else [])


def _why_list(reasons: Sequence[tuple[str, str]], width: int | None) -> list[str]:
    """The rule's derivations, when the table left them out for its width: one paragraph each."""
    return ["Why:", *(line for what, why in reasons for line in wrapped_lines(f"{what}: {why}", width, "    "))]


def stated_amount(figure: dict[str, Any]) -> str:
    """A figure's record (its JSON) as stated: `around 2,750`, `300,000-800,000`."""
    low, high = (f"{Decimal(figure[bound]):,f}" for bound in ("low", "high"))
    stated = low if low == high else f"{low}-{high}"
    return f"around {stated}" if figure["approximately"] else stated


def stated_when(figure: dict[str, Any]) -> str:
    """When a figure's record holds: `over 1995-1998`, `at 2003`, `date not given`."""
    if figure["kind"] == "at-date":
        return f"at {figure['at']}" if figure["at"] else "date not given"
    if not figure["period"]:
        return "period not given"
    start, end = figure["period"]
    if len(start) == len(end) == 4:
        return f"over {start}" if start == end else f"over {start}-{end}"
    return f"over {start} to {end}"


def pair_table(found: Sequence[Pair], wrap: bool = True) -> Columns:
    """Each pair of figures side by side, with the rule's verdict and its derivation (under the table
    when it is too wide for its width; `wrap`, as for comparison_table, is no longer needed)."""
    below = [(f"{p.first.row.subject} {p.first.row.measure}, figures {p.first.row.id} and {p.second.row.id}", p.why)
             for p in found]
    return Columns(
        subject=[p.first.row.subject for p in found], measure=[p.first.row.measure for p in found],
        figure=[p.first.row.described() for p in found], other=[p.second.row.described() for p in found],
        verdict=[p.verdict for p in found], why=[p.why for p in found],
    ).laid_out(liftable=("subject", "measure", "verdict"), optional=("why",),
               below=lambda width, dropped: _why_list(below, width) if "why" in dropped else [])


def stacked(*tables: Columns) -> Columns:
    """Tables one under the other as one table: every column of each, empty where a table lacks it."""
    names = list(dict.fromkeys(name for table in tables for name in table))
    return Columns({name: [value for table in tables
                           for value in table.get(name, [None] * table.height)] for name in names})


def disputes_output(report: ClaimReport, items: list[dict[str, Any]], keys: tuple[str, ...], fmt: str,
                    width: int | None = None, labels: Mapping[int, str] | None = None) -> bytes:
    """Placing disputes, then figure disputes: one JSON list, one CSV or TSV table, or two tables
    fitted to `width` (athletes who share a name told apart by `labels`: ledger.output.claim_columns)."""
    if fmt in ("json", "jsonl"):
        return render(lambda: report.to_json() + items, fmt)
    if fmt in ("csv", "tsv"):
        return render(None, fmt, lambda: stacked(claim_columns.columns(report, keys, False), dispute_table(items, False)))
    shown = []
    if report.held or not items:
        shown.append(render(report.to_json, fmt, lambda: claim_columns.columns(report, keys, True, labels),
                            "no disputes", width))
    if items:
        shown.append(b"Figure disputes:\n" + render(items, fmt, lambda: dispute_table(items), width=width))
    return b"\n".join(shown)
