"""Store: opening a ledger's database (URLs, engines, locking, read-only access), migrations, bulk inserts."""
