"""Core: models, plain value types, canonical JSON and hashes, times, names, the rules every value obeys, errors. No database session is opened here."""
