"""Imports: results files from timing companies read row by row, athletes matched, recorded as one journal entry."""
