"""Every error, usage errors included, as one `Error: ...` line on stderr, and the exit code of each end."""

from __future__ import annotations

import sys

import click

from ledger.core.errors import LedgerError
from ledger.output.inert import visible


class LedgerGroup(click.Group):
    """Every error, usage errors included, is one `Error: ...` line on stderr: never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            super().main(args, prog_name or "raceledger", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(_error_line(f"{exc.format_message()}{hint}"), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(_error_line(exc.format_message()), err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            interrupt = exc.__cause__  # click turns Ctrl-C into Abort
            if not isinstance(interrupt, KeyboardInterrupt):
                click.echo("Aborted.", err=True)
                sys.exit(1)
        except KeyboardInterrupt as exc:
            interrupt = exc
        except Exception as exc:
            # An error raised while an interrupt unwinds (a connection it broke, say) is that interrupt.
            interrupt = exc.__context__
            while interrupt is not None and not isinstance(interrupt, KeyboardInterrupt):
                interrupt = interrupt.__context__
            if interrupt is None:
                if isinstance(exc, LedgerError):  # without loading the database's code (verify-proof has none)
                    message = str(exc)
                else:
                    from ledger.store.engine import failure

                    message = failure(exc)
                if message is None:
                    raise  # a bug: its traceback is worth having
                click.echo(_error_line(message), err=True)
                sys.exit(1)
        else:
            sys.exit(0)
        import signal

        # Ctrl-C, or SIGTERM (main() raises it as KeyboardInterrupt(SIGTERM)): the transaction was
        # rolled back and temporary files removed; a command that did something anyway noted what.
        signum = next((arg for arg in interrupt.args if isinstance(arg, int)), signal.SIGINT)
        done = "; ".join(getattr(interrupt, "__notes__", ())) or "nothing was written"
        click.echo(visible(f"{'Terminated' if signum == signal.SIGTERM else 'Interrupted'}; {done}."), err=True)
        sys.exit(128 + signum)


def _error_line(message: str) -> str:
    """`Error: ` and the message on one line, whatever the message holds (a value a user typed, say)."""
    return f"Error: {visible(message)}"
