"""The streams an Upscaler made without ``streams`` runs an image on, as `xeonsr upscale` chooses.

One stream with every thread runs an image of one tile fastest; a larger image's tiles, and many
images at once, run faster on several streams of fewer threads (numpy's colour and chroma work
overlaps the network then). FSRCNN and SRCNN x3 on an Emerald Rapids Xeon, 2 vCPUs, medians of
interleaved calls, three runs of `python benchmarks/probes/api_streams.py fsrcnn,srcnn 21`:
64x64 to 256x256 inputs 1.25-1.8x faster on one stream, 500x480 and 1000x750 1.01-1.47x faster on
two. So such an Upscaler keeps its one-stream network for one tile and, for the others, an
Upscaler like it on more streams, made on first need (a second compile) and then kept: 1.24-1.47x
(FSRCNN) and 1.04-1.22x (SRCNN) faster than one stream on those two sizes, and within noise of
the faster setting at every size."""

from __future__ import annotations

import threading


class WideStreams:
    """Upscalers like ``up`` on more streams, one per stream count asked, made once and shared by
    every thread (each runs its images on spare requests of its own, Upscaler._lease).
    ``settings``: the rest of ``up``'s arguments (threads, weights, ir_dir)."""

    def __init__(self, up, **settings) -> None:
        self._kind, self._plan = type(up), up.threads
        self._settings = dict(
            model=up.model_name, scale=up.scale, backend=up.backend, precision=up.precision, tile=up.tile, **settings
        )
        self._lock = threading.Lock()
        self._by: dict[int, object] = {}

    def _get(self, streams: int):
        with self._lock:
            if streams not in self._by:
                self._by[streams] = self._kind(streams=streams, **self._settings)
            return self._by[streams]

    def for_image(self, up, size: tuple[int, int]):
        """What runs an image of ``size`` (W, H): ``up`` for one tile, else the Upscaler on the
        streams `xeonsr upscale` gives that many tiles. Not while ``up`` has a stop event (a
        folder's worker: its stop reaches ``up``'s bands only)."""
        from xeonsr.threads import plan_streams
        from xeonsr.tiles import tile_count

        tiles = tile_count(*size, up.tile)
        streams = plan_streams(self._plan, images=tiles) if tiles > 1 else 1
        return up if streams < 2 or up.stop is not None else self._get(streams)

    def for_many(self, up):
        """(upscaler, images in flight) for many images: one stream per core."""
        from xeonsr.threads import plan_streams

        streams = plan_streams(self._plan)
        return (up, 1) if streams < 2 else (self._get(streams), streams)
