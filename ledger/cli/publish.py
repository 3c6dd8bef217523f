"""Publishing: the web view (`serve`) and the static report (`report`)."""

from __future__ import annotations

import math
from typing import Callable

import click

from ledger.cli.common import BASE_URL, Options, pauses_collector, read_text, tolerance_option
from ledger.cli.sessions import reading
from ledger.output.inert import visible


def _header_timeout(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"{value} is not a positive number of seconds, e.g. --header-timeout 10")
    return value


def _max_connections(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    from ledger.web.guard import RESERVE, connection_room

    if value is not None and value > connection_room():
        raise click.BadParameter(f"{value} connections need {value + RESERVE} open files, but this process may open "
                                 f"{connection_room() + RESERVE} (ulimit -n); raise that limit or ask for fewer")
    return value


def base_url_option(where: str) -> Callable[[Callable], Callable]:
    return click.option(
        "--base-url", type=BASE_URL, metavar="URL",
        help=f"The absolute http(s) address {where}: the schema.org linked data and each page's "
             "canonical link name pages with it. Without it they name none (never a relative address).")


def proofs_options(command: Callable) -> Callable:
    """--sign and --checkpoint: what `serve` and `report` publish beside the pages for proofs."""
    command = click.option(
        "--checkpoint", "note_file", type=click.Path(exists=True, dir_okay=False), metavar="NOTE_FILE",
        help="Publish this signed checkpoint of the ledger (raceledger checkpoint --sign) as it is, and each "
             "claim's proof under it; a claim recorded after it has none, and its page says so.")(command)
    return click.option(
        "--sign", "key_file", type=click.Path(exists=True, dir_okay=False), metavar="KEYFILE",
        help="Publish the ledger's checkpoint signed with this key (raceledger key generate, named as the "
             "origin) as of each page, and every claim's proof under it.")(command)


def _publication(key_file: str | None, note_file: str | None):
    """The proofs to publish (ledger.read.proofs.Publication), or None for none."""
    if key_file is not None and note_file is not None:
        raise click.UsageError("--sign and --checkpoint both say which checkpoint to publish: give one of them")
    if key_file is None and note_file is None:
        return None
    from ledger.read.proofs import Publication

    return Publication(read_text(key_file)) if key_file is not None else Publication(signed_checkpoint=read_text(note_file))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on; the default keeps the web view on this machine.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 takes a free one, announced.")
@click.option("--header-timeout", type=float, default=10.0, show_default=True, metavar="SECONDS",
              callback=_header_timeout,
              help="Close a connection whose request head is not whole this long after the server waits for it.")
@click.option("--max-connections", type=click.IntRange(min=1), metavar="N", callback=_max_connections,
              help="Connections open at once; at the limit the one whose request head has waited longest is "
                   "closed to make room. [default: 1000, or the open-file limit (ulimit -n) less 64 if lower]")
@click.option("--cache-mb", type=click.IntRange(min=0), default=64, show_default=True, metavar="N",
              help="Megabytes of pages kept for answering again, per server process; 0 keeps none.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Server processes answering from the one port, each with its own --cache-mb of pages and "
                   "--max-connections.")
@base_url_option("readers reach this server at")
@proofs_options
@tolerance_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, header_timeout: float, max_connections: int | None,
          cache_mb: int, workers: int, base_url: str | None, key_file: str | None, note_file: str | None,
          tolerance_ms: int) -> None:
    """Serve a read-only web view of the ledger: disputes side by side, each page also as JSON.

    The ledger is opened read-only (SQLite mode=ro, PostgreSQL read-only transactions) and only
    GET and HEAD are answered. Every page's footer shows the head to check it with `verify --head`.
    Clients that send their request slowly, or too many at once, are closed rather than let hold
    the server (warnings about them are logged at most once a minute). With --workers N, N
    processes answer from the one port, alike: a page and its ETag depend only on the ledger, so
    a reader's If-None-Match is answered 304 by any of them. With --sign or --checkpoint the server
    publishes proofs: /checkpoint is the ledger's signed checkpoint, /claims/ID.tlog-proof a claim's
    proof under it (what `raceledger prove` prints), and each claim's page links its proof or says
    why there is none. Stop it with Ctrl+C.

    \b
    Example:
        raceledger demo
        raceledger serve
        raceledger serve --host 0.0.0.0 --port 8080
        raceledger serve --header-timeout 5 --max-connections 200 --cache-mb 0
        raceledger serve --workers 2 --cache-mb 32
        raceledger serve --base-url https://results.example.org
        raceledger serve --sign demo.key
        raceledger serve --checkpoint checkpoint.txt
    """
    from ledger.web.serve import run

    run(ctx.find_object(Options).db, host, port, tolerance_ms=tolerance_ms, header_timeout=header_timeout,
        max_connections=max_connections, cache_bytes=cache_mb * 1024 * 1024, base_url=base_url, workers=workers,
        publication=_publication(key_file, note_file), announce=lambda line: click.echo(visible(line), err=True))


@click.command()
@click.argument("scope", required=False, metavar="[SCOPE]")
@click.option("--out", "out_dir", required=True, metavar="DIR", type=click.Path(file_okay=False),
              callback=lambda ctx, param, value: value or param.type.fail("it is empty; name a folder, e.g. --out site"),
              help="Folder to write into (made if missing; files of the same names are replaced).")
@click.option("--markdown", is_flag=True,
              help="Write one Markdown document of the scope's disputes, with numbered citations, instead.")
@base_url_option("the folder will be published at")
@proofs_options
@tolerance_option
@click.pass_context
@pauses_collector
def report(ctx: click.Context, scope: str | None, out_dir: str, markdown: bool, base_url: str | None,
           key_file: str | None, note_file: str | None, tolerance_ms: int) -> None:
    """Write the web view's pages of an event, race, category or topic (the whole ledger without one) as files.

    HTML pages with their JSON twins and one stylesheet, linked relatively: the folder works from a
    file system or any static host. The same ledger gives the same bytes. The pages are moved into
    DIR only once all are written, so an interrupted report leaves DIR as it was; files of other
    names already in DIR stay. Nothing moves while any page's path in DIR is taken by a symbolic
    link, a folder where a file goes or a file where a folder goes: the error names it. DIR itself
    may be a link. A topic's report holds its figures, their disputes and sources. With --sign or
    --checkpoint, the folder also holds the signed checkpoint (`checkpoint`) and, beside each
    claim's page, the claim's proof under it (`claims/ID.tlog-proof`), which the page links; a
    claim with none says why.

    \b
    Example:
        raceledger report pyongyang-2025 --out site
        raceledger report pyongyang-2025 --out notes --markdown
        raceledger report dprk-famine --out famine
        raceledger report pyongyang-2025 --out site --base-url https://results.example.org/pyongyang
        raceledger checkpoint --origin results.example.org/pyongyang-2025
        raceledger key generate results.example.org/pyongyang-2025 --out demo.key > demo.vkey
        raceledger report pyongyang-2025 --out signed --sign demo.key
    """
    from ledger.web.report import write_site

    if markdown and base_url is not None:
        raise click.UsageError("--base-url names the HTML pages' addresses; the Markdown document (--markdown) has none")
    if markdown and (key_file is not None or note_file is not None):
        raise click.UsageError("proofs are published beside the HTML pages; the Markdown document (--markdown) "
                               "takes no --sign or --checkpoint")
    publication = _publication(key_file, note_file)
    with reading(ctx) as session:
        written = write_site(session, scope, out_dir, markdown, tolerance_ms, base_url, publication)
    what = "the Markdown document" if markdown else f"{len(written)} files (open {out_dir}/index.html)"
    click.echo(visible(f"Wrote {what} of {scope or 'the whole ledger'} to {out_dir}."))


COMMANDS = (serve, report)  # added to the root group by cli.py
