"""Write: services that check a request and record one journal entry (events, sources, athletes, claims, corrections, merges)."""
