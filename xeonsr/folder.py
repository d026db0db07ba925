"""Many images at once: decode, upscale and encode overlap across worker threads.

Each worker takes a file, decodes it, upscales it through its own infer request (an OpenVINO
stream of its own, ``Upscaler.for_thread``) and writes the result whole under a temporary
name (with several workers its fsync and rename then run on a thread of their own while the
worker goes on); OpenVINO, PIL and numpy release the GIL while they work, so N workers keep N
streams busy while files are read and written. One worker reproduces the sequential path
exactly, and so do N (tested). Images in memory (:func:`upscale_many`) go the same way, without
the files.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Done:
    src: Path
    dest: Path
    error: str | None  # one line naming the file, or None
    megapixels: float  # of the output (0 on error)


def _one(up, src: Path, dest: Path, quality: int | None = None, threads: int = 1, defer: bool = False):
    """-> (Done, None), or with ``defer`` (Done, the commit of its file): the result written
    whole under a temporary name, its fsync and rename the caller's to run (xeonsr.fileio)."""
    from xeonsr.photo_io import open_image
    from xeonsr.photo_save import save_image

    try:
        result = up.upscale_for_saving(open_image(src))  # PNG: written from its array, no PIL copy
        commit = save_image(result, dest, quality, threads, defer=defer)
        w, h = result.size
        return Done(src, dest, None, w * h / 1e6), commit
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
        return _failed(src, dest, e), None


def _failed(src: Path, dest: Path, e: Exception) -> Done:
    from xeonsr.errors import is_user_error, one_line

    if is_user_error(e):
        return Done(src, dest, one_line(e), 0.0)
    kind, first = e.__class__.__name__, one_line(e)
    return Done(src, dest, f"{src}: internal error ({kind})" + (f" {first}" if first != kind else ""), 0.0)


def upscale_files(
    up,
    jobs: list[tuple[Path, Path]],
    workers: int = 1,
    on_done: Callable[[Done], None] | None = None,
    written: list[Path] | None = None,
    quality: int | None = None,
):
    """Upscale each (source, destination) with ``workers`` threads; -> [Done] in job order
    (``quality``: of JPEG and WebP results, xeonsr.photo_save.save_image's).

    With several workers each result's fsync and rename run on a thread of their own while its
    worker goes on to the next image: a worker waiting on the disk leaves its core idle.

    Interrupted (Ctrl-C, or ``on_done`` raising), it stops promptly and writes nothing half:
    one worker runs in the calling thread, where the interrupt lands at once (and commits each
    file itself, so none is left under its temporary name); several stop at their image's next
    band (``Upscaler.stop``), no image starts after, and the files they wrote whole are
    committed. ``written`` gets each destination once committed, so a caller knows, once this
    raises, which outputs this run made (an existing file there says nothing: it may predate
    the run)."""
    if written is None:
        written = []
    # A large PNG's deflate takes the cores the workers leave it (one image: all of them).
    encoders = max(1, up.threads.used // max(1, workers))

    def commit(done: Done, fn) -> Done:
        try:
            if fn is not None:
                fn()
        except Exception as e:  # noqa: BLE001 - as the worker's own errors
            return _failed(done.src, done.dest, e)
        if done.error is None:
            written.append(done.dest)  # list.append is atomic: no lock
        return done

    if workers <= 1:
        results = []
        for s, d in jobs:
            results.append(commit(*_one(up, s, d, quality, encoders)))
            if on_done is not None:
                on_done(results[-1])
        return results
    from xeonsr.threads import worker_pool

    local, stop = threading.local(), threading.Event()
    # Outside the workers' pool, and never cancelled: once the workers stop (an interrupt too),
    # every file they wrote whole is committed before this returns or raises.
    with ThreadPoolExecutor(workers, "xeonsr-commit") as committer:

        def work(src: Path, dest: Path) -> Future:
            if not hasattr(local, "up"):
                local.up = up.for_thread()
                local.up.stop = stop
            return committer.submit(commit, *_one(local.up, src, dest, quality, encoders, True))  # defer

        by_index: dict[int, Done] = {}
        with worker_pool(workers, "xeonsr-upscale") as pool:
            futures = {pool.submit(work, s, d): i for i, (s, d) in enumerate(jobs)}
            try:
                for fut in as_completed(futures):
                    done = fut.result().result()
                    by_index[futures[fut]] = done
                    if on_done is not None:
                        on_done(done)
            except BaseException:
                stop.set()
                raise
        return [by_index[i] for i in range(len(jobs))]


def upscale_many(up, images, jobs: int):
    """Each of ``images`` (an iterable of what ``up.upscale`` takes: a video's frames, a batch
    of a server's requests) upscaled, yielded in their order while up to ``jobs`` images are in
    flight, each on an infer request of its own (so make ``up`` with ``streams=jobs``; PyTorch
    runs one at a time). Images are read from ``images`` as they are needed, so a long stream is
    never all in memory. An image that fails raises where its result would have come, and no
    image after it is started. The results are byte for byte ``up.upscale``'s one at a time."""
    from xeonsr.errors import UserError

    if jobs < 1:
        raise UserError(f"jobs must be 1 or more (got {jobs})")
    if jobs == 1 or up.runner.spawn is None:
        return (up.upscale(image) for image in images)
    return _in_flight(up, images, jobs)


def _in_flight(up, images, jobs: int):
    from xeonsr.threads import worker_pool

    local = threading.local()

    def one(image):
        if not hasattr(local, "up"):
            local.up = up.for_thread()
        return local.up.upscale(image)

    # Twice as many submitted as running: a worker that finishes finds its next image waiting
    # while the caller takes the results in order.
    pending: collections.deque = collections.deque()
    with worker_pool(jobs, "xeonsr-many") as pool:
        for image in images:
            pending.append(pool.submit(one, image))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class Progress:
    """Images done and output megapixels per second, for a progress bar's postfix."""

    def __init__(self) -> None:
        self.t0, self.mp, self.n = time.perf_counter(), 0.0, 0

    def add(self, done: Done) -> str:
        self.n += 1
        self.mp += done.megapixels
        return f"{self.mp / max(1e-9, time.perf_counter() - self.t0):.2f} MP/s"
