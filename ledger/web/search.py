"""The web's athlete search is the CLI's (`athlete find`): one matching rule, in ledger.read.search."""

from ledger.read.search import MAX_RESULTS, search_athletes

__all__ = ["MAX_RESULTS", "search_athletes"]
