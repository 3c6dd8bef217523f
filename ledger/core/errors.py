"""The one exception type the CLI turns into a one-line `Error: ...`."""


class LedgerError(Exception):
    """A problem the user can fix; its message is shown as is."""
