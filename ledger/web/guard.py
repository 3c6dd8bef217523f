"""Slow and many clients: the limits `raceledger serve` puts on connections, at uvicorn's protocol layer.

uvicorn closes a kept-alive connection left idle (`timeout_keep_alive`), but it has no limit on how
long a client may take to send a request head, and its `limit_concurrency` answers 503 instead of
making room. So a client sending a byte a second held a socket forever; enough of them used up the
process's file descriptors, and asyncio then logged every accept that failed. Here, on uvicorn's
own h11 protocol class (no other server needed):

- a connection whose request head is not whole within `header_timeout` seconds of the server
  waiting for it (on connecting, and after each response) is closed;
- at most `max_connections` sockets are open: the listening socket accepts only while there is
  room, and at the limit first closes the connection whose head has waited longest; when none waits
  (every connection is being answered) the new one is accepted and closed at once;
- a warning or error of one kind is logged at most once a minute, with a count of those left out,
  so no flood of clients floods the log.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import math
import resource
import socket
import sys
import time
from collections import Counter
from contextlib import contextmanager
from typing import Any, Iterator

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS = 1000
# Open files kept back from --max-connections for the database, the listening socket and the event loop.
RESERVE = 64
BACKLOG = 2048  # uvicorn's default
QUIET_SECONDS = 60.0

logger = logging.getLogger("uvicorn.error")


def connection_room() -> int:
    """How many connections the open-file limit (`ulimit -n`) leaves room for, RESERVE kept back."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return sys.maxsize if soft == resource.RLIM_INFINITY else soft - RESERVE


def default_max_connections() -> int:
    return max(1, min(MAX_CONNECTIONS, connection_room()))


class Guard:
    """One server's connections: how many sockets are open and whose request head is awaited, oldest first."""

    def __init__(self, header_timeout: float = HEADER_TIMEOUT, max_connections: int = MAX_CONNECTIONS) -> None:
        if not (math.isfinite(header_timeout) and header_timeout > 0) or max_connections < 1:
            raise ValueError("the header timeout must be a positive number of seconds, the connections at least 1")
        self.header_timeout, self.max_connections = header_timeout, max_connections
        self.open = 0  # sockets accepted and not yet closed
        self.made = 0  # of those, the ones uvicorn has made a connection of (the others are a loop turn away)
        self.waiting: dict[H11Protocol, asyncio.TimerHandle] = {}  # insertion order: longest waiting first
        self.evicted: set[H11Protocol] = set()  # closed to make room; their sockets close on the loop's next turn

    def listen(self, host: str, port: int) -> socket.socket:
        """The listening socket, accepting only while there is room (for `uvicorn.Server.run(sockets=...)`)."""
        # IPPROTO_TCP named, as getaddrinfo names it for uvicorn's own socket: asyncio turns Nagle's
        # algorithm off only on sockets that say so, and with it on, an answer whose last segment is
        # small waits for the client's delayed acknowledgement (40 ms a page).
        listener = _Listener(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(BACKLOG)
        except OSError:
            listener.close()
            raise
        listener.guard = self
        return listener

    def protocol(self) -> type[H11Protocol]:
        """uvicorn's h11 protocol, reporting to this guard (for `uvicorn.Config(http=...)`)."""
        guard = self

        class GuardedH11Protocol(H11Protocol):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                super().connection_made(transport)
                guard.made += 1
                guard.await_head(self)

            def data_received(self, data: bytes) -> None:
                cycle = self.cycle
                super().data_received(data)
                if self.cycle is not cycle:  # a request head came whole: its response is being made
                    guard.head_done(self)

            def on_response_complete(self) -> None:
                cycle = self.cycle
                super().on_response_complete()
                if self.cycle is cycle and not self.transport.is_closing():
                    guard.await_head(self)  # the next request's, unless one was already waiting whole

            def connection_lost(self, exc: Exception | None) -> None:
                super().connection_lost(exc)
                guard.head_done(self)
                guard.evicted.discard(self)
                guard.made -= 1
                guard.open -= 1

        return GuardedH11Protocol

    def await_head(self, connection: H11Protocol) -> None:
        self.head_done(connection)
        self.waiting[connection] = connection.loop.call_later(self.header_timeout, self._expire, connection)

    def head_done(self, connection: H11Protocol) -> None:
        timer = self.waiting.pop(connection, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, connection: H11Protocol) -> None:
        del self.waiting[connection]
        logger.warning("Closed a connection that sent no whole request head within %g s (--header-timeout).",
                       self.header_timeout)
        connection.transport.close()

    def make_room(self) -> bool:
        """At the limit: close the connection whose head has waited longest, unless one such is closing
        already or a connection just accepted is not yet made (it may be the one). False when every
        connection is being answered."""
        if self.evicted or self.made < self.open:
            return True
        oldest = next((c for c in self.waiting if not c.transport.is_closing()
                       and not c.transport.get_write_buffer_size()), None)  # never cut a response short
        if oldest is None:
            return False
        self.head_done(oldest)
        self.evicted.add(oldest)
        logger.warning("Closed the connection whose request head had waited longest, to make room "
                       "(--max-connections %d).", self.max_connections)
        oldest.transport.close()
        return True


class _Listener(socket.socket):
    """A listening socket that accepts only while its guard has room.

    asyncio calls `accept()` while the socket is readable; BlockingIOError tells it to come back on
    the loop's next turn, by which time a connection closed to make room has released its socket."""

    guard: Guard

    def accept(self) -> tuple[socket.socket, Any]:
        guard = self.guard
        if guard.open >= guard.max_connections:
            if not guard.make_room():
                refused, _ = super().accept()
                refused.close()
                logger.warning("Refused a connection: all %d (--max-connections) are being answered.",
                               guard.max_connections)
            raise BlockingIOError(errno.EAGAIN, "no room for another connection yet")
        accepted = super().accept()
        guard.open += 1
        return accepted


class _Quiet(logging.Filter):
    """Lets a warning or error of one kind (logger, level, message) through once a minute; the next one
    let through says how many were left out."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[tuple[str, int, str], float] = {}
        self.left_out: Counter[tuple[str, int, str]] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        if kind in self.last and now - self.last[kind] < QUIET_SECONDS:
            self.left_out[kind] += 1
            return False
        self.last[kind] = now
        if left_out := self.left_out.pop(kind, 0):
            record.msg = f"{record.msg} ({left_out} more like this since the last one logged)"
        return True


@contextmanager
def quiet(*names: str) -> Iterator[None]:
    """Warnings and errors of the named loggers bounded to one of a kind a minute, for the block."""
    quieter = _Quiet()
    loggers = [logging.getLogger(name) for name in names]
    for each in loggers:
        each.addFilter(quieter)
    try:
        yield
    finally:
        for each in loggers:
            each.removeFilter(quieter)
