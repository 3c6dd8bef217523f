"""The web view and the static report: the ledger's pages in HTML, each with its JSON twin.

Above ledger.output, below cli.py: it reads through ledger.read and renders JSON with
ledger.output.render, and never writes. Jinja2, Starlette and uvicorn are imported only here,
so commands other than `serve` and `report` start no slower.
"""
