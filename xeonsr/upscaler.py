"""Upscaling people's own images: ``Upscaler("fsrcnn", scale=3).upscale(pil_image)``.

Y-channel models upscale Y (BT.601, as the protocol); Cb/Cr and alpha go through MATLAB
bicubic; grey stays grey; 16-bit grey keeps 16 bits, and so does 16-bit colour (PNG/TIFF, read
and written through OpenCV where it is installed, as :class:`Image16`, since PIL holds colour
in 8 bits only); palette images are converted; EXIF orientation is applied, the EXIF data and
the ICC profile kept. Large images run in tiles overlapping by the model's receptive field (xeonsr.tiles):
the tiled result equals the untiled one while memory stays bounded by the tile size."""

from __future__ import annotations

import contextlib
import copy
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from xeonsr.band_finish import finish_band
from xeonsr.errors import UserError
from xeonsr.imaging import rgb_to_ycbcr_planes, ycbcr_planes_to_rgb
from xeonsr.photo_io import Image16, Pixels, as_upscalable, carry_metadata, upright_in_upscalable_mode
from xeonsr.threads import worker_pool
from xeonsr.tiles import DEFAULT_TILE, even_step

MIN_SIDE = 4  # smaller inputs are edge-padded to this, then the output is cropped back


BAND_MEMORY = 1 << 30  # bytes of bands in flight at once with several streams
UNKNOWN_RADIUS = 16  # LR pixels of tile overlap when a user IR does not say (ours: 4-11)


class Stopped(Exception):
    """The upscale was stopped from outside (``Upscaler.stop``); nothing of it is written."""


class Upscaler:
    """A model (shipped weights, or ``weights``) on OpenVINO or PyTorch, ready to upscale.

    Args:
        model: registry name (fsrcnn, srcnn, dcscn, ...; default: the model of ``weights``, else
            fsrcnn).
        scale: 2, 3 or 4 (default: the scale of ``weights``, else 3).
        backend: "openvino", "torch" or "auto" (OpenVINO when its IR is in the manifest).
        precision: "int8", "bf16" or "fp32" ("auto": INT8 where the manifest has it and the CPU
            gains from it; "bf16": the FP32 IR, or PyTorch, computed in bf16, on CPUs with
            native bf16 only).
        tile: LR tile side at most, in pixels (None: 256; 0: whole image at once); the image is
            cut into the fewest tiles, as even as can be.
        threads: inference threads (None: one per physical core; never more than the CPUs
            this process may use).
        weights: your own weights file (runs PyTorch).
        ir_dir: an IR store of your own (``xeonsr export --weights W --ir-dir D``).
        streams: OpenVINO streams: the tiles of one large image run on that many infer requests
            at once, or (through :meth:`for_thread`) several images at once (:mod:`xeonsr.folder`).
            None (default): one for an image of one tile, and one per core for larger images and
            :meth:`upscale_many`, on a second network made on first need (:mod:`xeonsr.wide_streams`).

    One Upscaler may be shared by the threads of a server: a thread that finds it busy runs
    its image on a spare (its own infer request on the same compiled network, made once).
    """

    def __init__(
        self,
        model: str | None = None,
        scale: int | None = None,
        *,
        backend: str = "auto",
        precision: str = "auto",
        tile: int | None = None,
        threads: int | None = None,
        weights: str | None = None,
        ir_dir: str | None = None,
        streams: int | None = None,
    ) -> None:
        from xeonsr.infer import choose_backend, model_and_scale
        from xeonsr.runtime import load_runner
        from xeonsr.threads import apply_threads, plan_threads

        self.model_name, self.scale = model_and_scale(model, scale, weights, lambda s: "fsrcnn", ir_dir, backend)
        auto, streams = streams is None, 1 if streams is None else streams
        if (tile is not None and (not isinstance(tile, (int, np.integer)) or tile < 0)) or streams < 1:
            raise UserError(
                f"tile must be a whole number, 0 (no tiles) or more, streams 1 or more "
                f"(got tile={tile!r}, streams={streams})"
            )
        self.tile = DEFAULT_TILE if tile is None else tile
        self.threads = plan_threads(threads)
        apply_threads(self.threads)
        # caveat: one line for the user about the IR chosen, if any
        self.backend, self.precision, self.caveat = choose_backend(
            self.model_name, self.scale, backend, precision, weights, ir_dir
        )
        kind = f"{'ov' if self.backend == 'openvino' else 'torch'}-{self.precision}"
        # compile_cache: a process that upscales one image spends more on compiling than on it
        self.runner = load_runner(
            self.model_name, self.scale, kind, weights=weights, ir_dir=ir_dir, threads=self.threads.used,
            streams=streams, compile_cache=True,
        )  # fmt: skip
        self.radius = (self.runner.receptive_radius or UNKNOWN_RADIUS) + 4
        # Requests one image's tiles are spread over (a request per stream; PyTorch has one).
        self.tile_streams = streams if self.runner.spawn is not None else 1
        self._free: queue.SimpleQueue | None = None  # the requests not running a tile now
        self._tile_pool: ThreadPoolExecutor | None = None  # while an image is upscaled
        self._busy = threading.Lock()  # held while this upscaler runs an image
        self.stop: threading.Event | None = None  # set: the image in hand stops at its next band
        self._spares: queue.SimpleQueue = queue.SimpleQueue()  # idle for_thread() copies
        self._wide = None  # more streams for large images and many at once (streams=None)
        if auto and self.runner.spawn is not None:
            from xeonsr.wide_streams import WideStreams

            self._wide = WideStreams(self, threads=threads, weights=weights, ir_dir=ir_dir)

    def for_thread(self) -> Upscaler:
        """This upscaler for one more worker thread (its own OpenVINO infer request): one image
        at a time per worker, so its tiles run in turn on that request."""
        other = copy.copy(self)
        other.runner = self.runner.for_thread()
        other.tile_streams, other._free, other._tile_pool = 1, None, None
        other._busy, other._spares = threading.Lock(), queue.SimpleQueue()
        return other

    @contextlib.contextmanager
    def _lease(self):
        """This upscaler, or a spare when another thread is running an image on it (an infer
        request runs one input at a time, and the tile pool is per image)."""
        if self._busy.acquire(blocking=False):
            try:
                yield self
            finally:
                self._busy.release()
            return
        try:
            spare = self._spares.get_nowait()
        except queue.Empty:
            spare = self.for_thread()
        try:
            yield spare
        finally:
            self._spares.put(spare)

    # -- planes ------------------------------------------------------------------------------
    def _model_plane(self, x: np.ndarray) -> np.ndarray:
        """(h, w) float32 on [0, 1] -> (s*h, s*w) float32 through the network."""
        return self.runner(np.ascontiguousarray(x, dtype=np.float32)[None, None])[0, 0]

    def _tiled(self, x: np.ndarray, k0: int, k1: int) -> np.ndarray:
        """The model's output for rows k0..k1 of plane ``x``, tile by tile, each tile reading
        the receptive field around it; with several streams the tiles run on that many infer
        requests at once (same tiles, same bytes)."""
        h, w = x.shape
        s, r = self.scale, self.radius
        t = self.tile if self.tile > 0 else max(h, w)
        tw, boxes = even_step(w, t), []
        for y0 in range(k0, k1, t):
            for x0 in range(0, w, tw):
                y1, x1 = min(y0 + t, k1), min(x0 + tw, w)
                boxes.append((y0, x0, y1, x1, max(0, y0 - r), max(0, x0 - r), min(h, y1 + r), min(w, x1 + r)))
        crops = [x[ya:yb, xa:xb] for _, _, _, _, ya, xa, yb, xb in boxes]
        results = self._on_streams(crops) if self.tile_streams > 1 else map(self._model_plane, crops)
        out = np.empty(((k1 - k0) * s, w * s), np.float32)
        for (y0, x0, y1, x1, ya, xa, _, _), sr in zip(boxes, results, strict=True):
            out[(y0 - k0) * s : (y1 - k0) * s, x0 * s : x1 * s] = sr[
                (y0 - ya) * s : (y1 - ya) * s, (x0 - xa) * s : (x1 - xa) * s
            ]
        return out

    def _on_streams(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """The model on each crop, each on whichever of the ``tile_streams`` requests is free
        (shared by the bands in flight; OpenVINO releases the GIL while it infers)."""
        if self._free is None:
            self._free = queue.SimpleQueue()
            self._free.put(self.runner)
            for _ in range(self.tile_streams - 1):
                self._free.put(self.runner.for_thread())

        def one(crop: np.ndarray) -> np.ndarray:
            runner = self._free.get()
            try:
                return runner(np.ascontiguousarray(crop, dtype=np.float32)[None, None])[0, 0]
            finally:
                self._free.put(runner)

        if len(crops) == 1 or self._tile_pool is None:
            return [one(c) for c in crops]
        return list(self._tile_pool.map(one, crops))

    def upscale_array(self, arr: np.ndarray, to_planes, finish, out_dtype, out_channels: int) -> np.ndarray:
        """:meth:`_upscale_array` on this upscaler, or on a spare if another thread is using it."""
        with self._lease() as worker:
            return worker._upscale_array(arr, to_planes, finish, out_dtype, out_channels)

    def _upscale_array(self, arr: np.ndarray, to_planes, finish, out_dtype, out_channels: int) -> np.ndarray:
        """Upscale an HW(C) array band by band so memory stays bounded by the tile size.

        ``to_planes(rows)`` turns input rows into (C, rows, w) float32 planes (channel 0 gets the
        model, the others bicubic); ``finish(planes)`` turns upscaled planes into output rows.
        Bands overlap by the receptive field, and only their exact centre rows are kept. With
        several streams, that many bands are in flight at once (colour conversion, chroma and
        rounding are numpy, which releases the GIL, so they overlap the network too).
        """
        h, w = arr.shape[:2]
        ph, pw = max(0, MIN_SIDE - h), max(0, MIN_SIDE - w)
        if ph or pw:  # tiny inputs: edge-pad, upscale, crop back
            pad = ((0, ph), (0, pw)) + ((0, 0),) * (arr.ndim - 2)
            big = self._upscale_array(np.pad(arr, pad, mode="edge"), to_planes, finish, out_dtype, out_channels)
            return big[: h * self.scale, : w * self.scale]
        s, r = self.scale, self.radius
        band = h if self.tile <= 0 else even_step(h, self.tile)
        out = np.empty((h * s, w * s) + ((out_channels,) if out_channels > 1 else ()), out_dtype)

        def one_band(y0: int) -> None:
            if self.stop is not None and self.stop.is_set():
                raise Stopped("stopped before this image was done")
            y1 = min(y0 + band, h)
            ya, yb = max(0, y0 - r), min(h, y1 + r)
            planes = to_planes(arr[ya:yb])
            k0, k1 = y0 - ya, y1 - ya  # the band's own rows in its planes
            finish_band(planes, self._tiled(planes[0], k0, k1), k0, k1, s, finish, out[y0 * s : y1 * s])

        starts = range(0, h, band)
        # A band's float working set: its tiles' network outputs and the Y rows they make (the
        # chroma and colour go in cache-sized pieces, xeonsr.band_finish).
        band_bytes = 2 * 4 * (band + 2 * r) * s * w * s
        in_flight = min(len(starts), self.tile_streams, max(1, BAND_MEMORY // band_bytes))
        if self.tile_streams == 1:
            for y0 in starts:
                one_band(y0)
            return out
        # One pool of tile workers for the image (a worker per stream), fed by the bands in
        # flight; the streams not taken by bands still run a band's tiles.
        with worker_pool(self.tile_streams, "xeonsr-tile") as self._tile_pool:
            try:
                with worker_pool(in_flight, "xeonsr-band") as bands:
                    list(bands.map(one_band, starts))
            finally:
                self._tile_pool = None
        return out

    # -- images ------------------------------------------------------------------------------
    def upscale(self, image):
        """PIL image in, PIL image out (mode, alpha, 16-bit grey, ICC profile preserved); an
        :class:`Image16` in, an :class:`Image16` out; a numpy array in (uint8 or uint16; grey,
        RGB or RGBA), the same kind out; a path in, a PIL image (or Image16) out."""
        image, back = as_upscalable(image)  # an array back is the result's own (no PIL copy)
        return back(self._upscale_upscalable(image))

    def upscale_for_saving(self, image):
        """:meth:`upscale`, the result an :class:`Image16` or, with no PIL copy of it, a
        :class:`~xeonsr.photo_io.Pixels` (what :func:`xeonsr.photo_save.save_image` writes)."""
        return self._upscale_upscalable(as_upscalable(image)[0])

    def _upscale_upscalable(self, image):
        up = self if self._wide is None else self._wide.for_image(self, image.size)
        return up._upscale_image(image)

    def upscale_many(self, images, jobs: int | None = None):
        """Each of ``images`` (an iterable of what :meth:`upscale` takes), upscaled and yielded in
        order, ``jobs`` at a time (default: ``streams``); :func:`xeonsr.folder.upscale_many`."""
        from xeonsr.folder import upscale_many

        if jobs is None and self._wide is not None:
            wide, jobs = self._wide.for_many(self)
            return upscale_many(wide, images, jobs)
        return upscale_many(self, images, self.tile_streams if jobs is None else jobs)

    def _upscale_image(self, image):
        if isinstance(image, Image16):
            return Image16(self._upscale_rgb(image.pixels, 65535.0, np.uint16), image.icc)
        image, icc = upright_in_upscalable_mode(image)
        mode = image.mode
        arr = np.asarray(image)
        if mode.startswith("I"):
            to16 = lambda p: np.clip(np.floor(p[0] * 65535.0 + 0.5), 0, 65535).astype(np.uint16)  # noqa: E731
            planes16 = lambda a: (a.astype(np.float32) / 65535.0)[None]  # noqa: E731
            res = Pixels(self.upscale_array(arr, planes16, to16, np.uint16, 1), "I;16")
        elif mode in ("L", "LA"):
            planes = (
                (lambda a: (a.astype(np.float32) / 255.0)[None])
                if mode == "L"
                else (lambda a: np.moveaxis(a.astype(np.float32) / 255.0, 2, 0))
            )
            finish = (lambda p: _to8(p[0])) if mode == "L" else (lambda p: _to8(np.moveaxis(p, 0, 2)))
            res = Pixels(self.upscale_array(arr, planes, finish, np.uint8, 1 if mode == "L" else 2), mode)
        else:
            res = Pixels(self._upscale_rgb(arr, 255.0, np.uint8), mode)
        carry_metadata(image, res, icc)
        return res

    def _upscale_rgb(self, arr: np.ndarray, top: float, dtype) -> np.ndarray:
        """RGB(A) on 0..top: Y through the model, Cb/Cr (and alpha) through bicubic."""
        planes, finish = (lambda a: rgb_to_ycbcr_planes(a, top)), (lambda p: ycbcr_planes_to_rgb(p, top, dtype))
        return self.upscale_array(arr, planes, finish, dtype, arr.shape[2])


def _to8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(x * 255.0 + 0.5), 0, 255).astype(np.uint8)
