"""Journal: the hash-chained log that is the truth: appending entries, the head, bodies in pieces, verifying the chain. Never imports projection."""
