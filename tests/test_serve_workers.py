"""`raceledger serve --workers N` (issue 25, point 5): every worker gives the same page and ETag, and
answers 304 for the tag another gave; stopping the server stops them all, cleanly."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from test_slow_clients import assert_clean, serving, status

PAGE = "/pyongyang-2025/marathon/amateur-men"


def _responder(log: str) -> int:
    """The worker (process id) that logged the newest request for PAGE."""
    return int(re.findall(rf'\[(\d+)\] 127\.0\.0\.1:\d+ - "GET {re.escape(PAGE)} HTTP/1\.1"', log)[-1])


def _head(response: bytes, name: bytes) -> bytes:
    head = response.partition(b"\r\n\r\n")[0]
    return next(line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(name + b":"))


def _ask(served, headers: str) -> bytes:
    """PAGE asked for on a new connection the server closes after answering: the whole response."""
    with served.connect() as sock:
        sock.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n".encode())
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    return response


def _until_both(served, headers: str = "") -> dict[int, bytes]:
    """PAGE asked for on new connections until two workers have answered: each one's response."""
    answers: dict[int, bytes] = {}
    for _ in range(300):
        response = _ask(served, headers)
        answers.setdefault(_responder(served.log.read_text()), response)
        if len(answers) == 2:
            break
    assert len(answers) == 2, "one worker answered every request"
    return answers


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_two_workers_give_one_page_its_etag_and_its_304(demo, db, tmp_path, signum):
    with serving(db, tmp_path, "--workers", "2", "--cache-mb", "8") as served:
        first, second = _until_both(served).values()
        assert status(first) == status(second) == 200
        assert _head(first, b"etag") == _head(second, b"etag")
        assert first.partition(b"\r\n\r\n")[2] == second.partition(b"\r\n\r\n")[2]
        tag = _head(first, b"etag").decode()
        held = _until_both(served, f"If-None-Match: {tag}\r\n")  # each worker's cache, and none, alike
        assert [status(r) for r in held.values()] == [304, 304]
        assert {_head(r, b"etag").decode() for r in held.values()} == {tag}
        log = served.stop(signum)
    assert served.process.returncode == 0, log
    assert log.startswith("Serving ") and ", 2 workers)" in log.splitlines()[0]
    assert log.count("Started server process") == 2 and log.count("Finished server process") == 2, log
    assert log.rstrip("\n").splitlines()[-1] == "Stopped."
    assert_clean(log)


def test_workers_must_be_at_least_one(demo):
    result = demo("serve", "--workers", "0")
    assert result.exit_code == 2 and "--workers" in result.stderr


def test_workers_stop_when_the_server_is_killed_without_stopping_them(demo, db, tmp_path):
    with serving(db, tmp_path, "--workers", "2") as served:
        workers = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", served.log.read_text())]
        for _ in range(100):  # each worker says it started; at most 10 s
            if len(workers) == 2:
                break
            time.sleep(0.1)
            workers = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", served.log.read_text())]
        assert len(workers) == 2, served.log.read_text()
        served.process.kill()
        served.process.wait()
    for _ in range(100):  # each notices within a second or so
        alive = [pid for pid in workers if _alive(pid)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie (exited, not yet reaped by init) is not running
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
