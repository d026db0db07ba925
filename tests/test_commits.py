"""A folder's results are written whole under temporary names and committed (fsync, rename) on a
thread of their own, while the workers go on to their next images (xeonsr.fileio, xeonsr.folder)."""

import errno
import os
import threading

import numpy as np
import pytest
from PIL import Image

from xeonsr import Upscaler
from xeonsr.fileio import atomic_write_bytes
from xeonsr.folder import upscale_files


def test_a_deferred_write_leaves_the_old_file_until_its_commit(tmp_path, monkeypatch):
    dest = tmp_path / "a.png"
    dest.write_bytes(b"old")
    commit = atomic_write_bytes(dest, b"new", defer=True)
    (tmp,) = (p for p in tmp_path.iterdir() if p != dest)
    assert dest.read_bytes() == b"old" and tmp.read_bytes() == b"new" and tmp.name.endswith(".tmp")
    commit()
    assert dest.read_bytes() == b"new" and list(tmp_path.iterdir()) == [dest]

    def no_room(*a):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    commit = atomic_write_bytes(dest, b"newer", defer=True)
    monkeypatch.setattr(os, "replace", no_room)
    with pytest.raises(OSError):
        commit()
    assert dest.read_bytes() == b"new" and list(tmp_path.iterdir()) == [dest]  # no temporary file left


@pytest.mark.parametrize("workers", [1, 2])
def test_a_folder_syncs_off_its_workers_and_names_a_file_whose_sync_failed(tmp_path, monkeypatch, workers):
    """A worker waiting in each result's fsync left its core idle; with several workers a thread
    of the commits' own does it now. A failing one is that file's error, as a failing encode
    is, and leaves no file behind."""
    rng = np.random.default_rng(0)
    src = tmp_path / "in"
    src.mkdir()
    jobs = []
    for i in range(5):
        Image.fromarray(rng.integers(0, 256, (20 + i, 24, 3), dtype=np.uint8)).save(src / f"p{i}.png")
        jobs.append((src / f"p{i}.png", tmp_path / "out" / f"p{i}.png"))
    up = Upscaler("fsrcnn-s", 2, streams=workers)
    expected = {d.name: np.asarray(up.upscale(Image.open(s))) for s, d in jobs}
    real, threads, calls = os.fsync, [], []

    def fsync(fd):
        threads.append(threading.current_thread().name)
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    written, seen = [], []
    results = upscale_files(up, jobs, workers, on_done=seen.append, written=written)
    assert [r.src for r in results] == [s for s, _ in jobs] and sorted(seen, key=str) == sorted(results, key=str)
    # One worker runs in the calling thread, where Ctrl-C lands: it commits each file itself, so
    # no interrupt can come between a file written whole and its commit.
    commits = "xeonsr-commit" if workers > 1 else threading.main_thread().name
    assert threads and all(t.startswith(commits) for t in threads), threads
    (failed,) = [r for r in results if r.error]
    assert failed.error == f"{failed.dest}: cannot write it (No space left on device)"
    assert sorted(written) == sorted(r.dest for r in results if not r.error)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(d.name for d in written)
    for d in written:
        assert np.array_equal(np.asarray(Image.open(d)), expected[d.name])
