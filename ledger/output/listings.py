"""Tables of lists: `sources` and `history`, laid out to fit a width (ledger.output.render)."""

from __future__ import annotations

from typing import Any, Sequence

from ledger.output.render import Columns, wrapped_lines


def sources_table(found: Sequence[dict[str, Any]]) -> Columns:
    """A row per source with its counts. A table too wide for its width names the sources under it
    instead (with their kinds and addresses), and leaves out `direct` (claims less via_others)."""
    def named(width: int | None, dropped: frozenset[str]) -> list[str]:
        if not dropped & {"name", "url", "kind"}:
            return []
        lines = ["Sources:"]
        for s in found:
            kind = f" ({s['kind']})" if "kind" in dropped else ""
            said = ", ".join(filter(None, (s[key] for key in ("name", "url") if key in dropped)))
            lines += wrapped_lines(f"{s['slug']}{kind}: {said}" if said else f"{s['slug']}{kind}", width, "    ")
        return lines

    return Columns.of_rows(found).laid_out(liftable=("kind",), optional=("url", "name", "kind", "direct"),
                                           below=named)


def history_table(found: Sequence[dict[str, Any]]) -> Columns:
    """A row per journal entry; who recorded them all, when one did, said once above a table too wide."""
    return Columns.of_rows(found).laid_out(liftable=("recorded_by", "kind"))
