"""raceledger: race results as sourced assertions, kept in a hash-chained journal."""

__version__ = "0.1.0"
