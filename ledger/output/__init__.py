"""Output: rendering reports as tables, CSV/TSV and JSON, and what the CLI shows while it works."""
