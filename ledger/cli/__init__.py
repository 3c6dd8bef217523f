"""The command line: one module per area of commands, each command parse -> one call -> render.

The top layer: nothing in `ledger` imports it, and with `cli.py` (the root group and `main`) it is
the only code that imports click.
"""
