"""`report --out DIR` is whole or nothing, and only inside DIR: every path a page takes is checked
before anything moves, an obstacle (a symbolic link anywhere on a page's path, a folder where a file
goes, a file where a folder goes) is one `Error:` line naming it with DIR exactly as it was, nothing
is written through a link inside DIR, and a move that fails midway is undone."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from frozen import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import LedgerError
from ledger.store import files
from ledger.store.files import folder_filled_whole

SCOPE = "pyongyang-2025"


def listing(root: Path) -> dict[str, tuple]:
    """Everything under ROOT, links not followed: each path's kind, inode, mtime and bytes (or target)."""
    found = {}
    for folder, folders, names in os.walk(root):
        for name in [*folders, *names]:
            path = Path(folder, name)
            st = path.lstat()
            what = (os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else None)
            found[str(path.relative_to(root))] = (st.st_mode, st.st_ino, st.st_mtime_ns, what)
    return found


def one_error_line(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture
def site(demo, tmp_path) -> Path:
    """A folder holding an earlier report of SCOPE, its pages marked as old, and a file of the user's own."""
    out = tmp_path / "out" / "site"
    assert demo("report", SCOPE, "--out", str(out)).exit_code == 0
    for page in ("index.html", "claims/5.html", "static/style.css"):
        (out / page).write_text("the last report")
    (out / "notes.txt").write_text("mine")
    return out


# Obstacles a page's path may meet: (path in DIR, what is there), one of each kind, at several depths.
OBSTACLES = [
    ("static", "file", "static is a file where a folder goes"),
    ("history/pyongyang-2025", "file", "history/pyongyang-2025 is a file where a folder goes"),
    ("index.html", "folder", "index.html is a folder where a file goes"),
    ("claims/5.html", "folder", "claims/5.html is a folder where a file goes"),
    ("index.html", "link to a file", "index.html is a symbolic link where a file goes"),
    ("claims/5.json", "link to a file", "claims/5.json is a symbolic link where a file goes"),
    ("disputes.json", "dangling link", "disputes.json is a symbolic link where a file goes"),
    ("static", "link to a folder", "static is a symbolic link where a folder goes"),
    ("history/pyongyang-2025/marathon", "link to a folder",
     "history/pyongyang-2025/marathon is a symbolic link where a folder goes"),
]


def place(out: Path, path: str, kind: str, outside: Path) -> None:
    """KIND at OUT/PATH, in place of what the earlier report left there; links point into OUTSIDE."""
    at = out / path
    if at.is_dir() and not at.is_symlink():
        for inner in sorted(at.rglob("*"), reverse=True):
            inner.rmdir() if inner.is_dir() else inner.unlink()
        at.rmdir()
    elif at.exists():
        at.unlink()
    if kind == "file":
        at.write_text("in the way")
    elif kind == "folder":
        at.mkdir()
        (at / "kept").write_text("kept")
    elif kind == "link to a file":
        at.symlink_to(outside / "victim.html")
    elif kind == "link to a folder":
        at.symlink_to(outside, target_is_directory=True)
    else:
        at.symlink_to(outside / "nowhere.html")


def test_each_obstacle_is_one_error_naming_it_and_dir_is_left_exactly_as_it_was(demo, site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.html").write_text("not the report's")
    for n, (path, kind, message) in enumerate(OBSTACLES):
        out = tmp_path / str(n) / "site"
        shutil.copytree(site, out, symlinks=True)
        place(out, path, kind, outside)
        before, beyond = listing(out), listing(outside)
        error = one_error_line(demo("report", SCOPE, "--out", str(out)))
        assert error == f"Error: cannot write into {out}: {message}; nothing was written, {out} is as it was\n"
        assert listing(out) == before, kind
        assert os.listdir(out.parent) == ["site"]  # no staging folder, no replaced files left
        assert listing(outside) == beyond  # nothing written through the link


def test_every_obstacle_is_counted_and_the_markdown_document_is_checked_too(demo, site, tmp_path):
    (site / "static").rename(tmp_path / "moved")
    (site / "static").write_text("in the way")
    (site / "index.html").unlink()
    (site / "index.html").mkdir()
    before = listing(site)
    assert one_error_line(demo("report", SCOPE, "--out", str(site))).startswith(
        f"Error: cannot write into {site}: index.html is a folder where a file goes (and 1 more); nothing was written")
    assert listing(site) == before
    (site / "disputes.md").symlink_to(tmp_path / "moved" / "style.css")
    assert "disputes.md is a symbolic link where a file goes" in one_error_line(
        demo("report", SCOPE, "--out", str(site), "--markdown"))
    assert listing(site) == {**before, "disputes.md": listing(site)["disputes.md"]}


def test_a_report_replaces_its_own_files_and_keeps_the_users(demo, site):
    before = listing(site)
    assert demo("report", SCOPE, "--out", str(site)).exit_code == 0
    after = listing(site)
    assert (site / "notes.txt").read_text() == "mine" and after["notes.txt"] == before["notes.txt"]
    assert (site / "index.html").read_text() != "the last report" and (site / "static/style.css").stat().st_size > 100
    assert sorted(os.listdir(site.parent)) == ["site"]


def test_dir_may_be_a_link_resolved_once(demo, tmp_path):
    pub = tmp_path / "pub"
    real = pub / "real" / "site"
    real.mkdir(parents=True)
    link = pub / "site"
    link.symlink_to(real, target_is_directory=True)
    result = demo("report", SCOPE, "--out", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "index.html").is_file() and (real / "static" / "style.css").is_file()
    assert sorted(os.listdir(pub)) == ["real", "site"] and os.listdir(pub / "real") == ["site"]


def test_an_empty_out_is_refused_and_nothing_is_made(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    error = one_error_line(demo("report", SCOPE, "--out", ""), code=2)
    assert "Invalid value for '--out': it is empty; name a folder" in error
    assert sorted(os.listdir(tmp_path)) == before
    with pytest.raises(LedgerError, match="no folder named"):
        with folder_filled_whole(""):
            pass


def test_a_move_that_fails_midway_is_undone(demo, site):
    """`sources/` may not be changed: the pages moved before it (athletes, claims, history...) go back."""
    before = listing(site)
    with frozen(site / "sources"):
        error = one_error_line(demo("report", SCOPE, "--out", str(site)))
    assert error.startswith(f"Error: cannot write into {site}: ") and ": sources/" in error
    assert error.endswith(f"; nothing was written, {site} is as it was\n")
    assert listing(site) == before
    assert sorted(os.listdir(site.parent)) == ["site"]


def interrupt_after(monkeypatch, count: int) -> list:
    """An interrupt (Ctrl+C) as the report moves its COUNT+1th file into place."""
    place_one, moved = files._Moves.place, []

    def interrupted(moves, source, parts):
        if len(moved) == count:
            raise KeyboardInterrupt
        moved.append(parts)
        place_one(moves, source, parts)

    monkeypatch.setattr(files._Moves, "place", interrupted)
    return moved


def test_an_interrupt_during_the_moves_is_undone(demo, site, monkeypatch):
    before = listing(site)
    moved = interrupt_after(monkeypatch, 40)
    result = demo("report", SCOPE, "--out", str(site))
    assert result.exit_code == 130
    assert result.stderr.strip() == f"Interrupted; nothing was written, {site} is as it was."
    assert listing(site) == before and len(moved) == 40
    assert sorted(os.listdir(site.parent)) == ["site"]


def test_moves_undone_in_a_new_folder_remove_the_folders_made(demo, tmp_path, monkeypatch):
    (tmp_path / "pub").mkdir()
    interrupt_after(monkeypatch, 40)
    assert demo("report", SCOPE, "--out", str(tmp_path / "pub" / "new" / "site")).exit_code == 130
    assert os.listdir(tmp_path / "pub") == []


# --- any placement of obstacles, on the library alone -------------------------------------------

PAGES = {"index.html": b"new index", "static/style.css": b"new style", "history/e/r/c.html": b"new c",
         "history/e/r.html": b"new r", "claims/5.html": b"new 5"}
FOLDERS = sorted({"/".join(p.split("/")[:end]) for p in PAGES for end in range(1, p.count("/") + 1)})
SPOTS = sorted([*PAGES, *FOLDERS, "notes.txt"])
KINDS = ["file", "folder", "link to a file", "link to a folder", "dangling link"]


def _obstacle(path: str, kind: str) -> bool:
    if kind in ("link to a file", "link to a folder", "dangling link"):
        return path in PAGES or path in FOLDERS
    return (path in PAGES and kind == "folder") or (path in FOLDERS and kind == "file")


@settings(deadline=None, max_examples=150)  # no timing assertions: a busy machine must not fail these
@given(st.dictionaries(st.sampled_from(SPOTS), st.sampled_from(KINDS), max_size=5))
def test_any_placement_of_obstacles_gives_all_pages_or_none(placed):
    with tempfile.TemporaryDirectory() as tmp:
        root, outside = Path(tmp, "site"), Path(tmp, "outside")
        outside.mkdir()
        (outside / "victim.html").write_text("not the report's")
        root.mkdir()
        reached = {}  # what was placed: a path below a file or link is not reachable
        for path, kind in sorted(placed.items()):
            if any(path.startswith(p + "/") and k != "folder" for p, k in reached.items()):
                continue
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            place(root, path, kind, outside)
            reached[path] = kind
        blocking = sorted(p for p, k in reached.items() if _obstacle(p, k))
        before, beyond = listing(root), listing(outside)
        try:
            with folder_filled_whole(str(root)) as staging:
                for name, data in PAGES.items():
                    Path(staging, name).parent.mkdir(parents=True, exist_ok=True)
                    Path(staging, name).write_bytes(data)
        except LedgerError as exc:
            assert blocking, exc
            named = str(exc).split(": ", 1)[1].split(" is ", 1)[0]
            more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
            assert named in blocking and f" goes{more}; nothing was written, {root} is as it was" in str(exc)
            assert listing(root) == before
        else:
            assert not blocking
            assert all((root / name).read_bytes() == data for name, data in PAGES.items())
            assert all(not (root / name).is_symlink() for name in [*PAGES, *FOLDERS])
        assert listing(outside) == beyond
        assert sorted(os.listdir(tmp)) == ["outside", "site"]
