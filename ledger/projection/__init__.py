"""Projection: the only code that writes derived rows: one apply per entry kind, the record path (append + apply), replay, load, contests, lookups."""
