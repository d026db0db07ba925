"""Upscaling people's own images: ``Upscaler("fsrcnn", scale=3).upscale(pil_image)``.

Y-channel models upscale Y (BT.601, as the protocol); Cb/Cr and alpha go through MATLAB
bicubic; grey stays grey; 16-bit grey keeps 16 bits, and so does 16-bit colour (PNG/TIFF, read
and written through OpenCV where it is installed, as :class:`Image16`, since PIL holds colour
in 8 bits only); palette images are converted; EXIF orientation is applied and the ICC profile
kept. Large images are processed in tiles whose overlap covers the model's receptive field, so
the tiled result equals the untiled one while memory stays bounded by the tile size.
"""

from __future__ import annotations

import copy

import numpy as np

from xeonsr.errors import UserError
from xeonsr.imaging import imresize, rgb_to_ycbcr, ycbcr_to_rgb
from xeonsr.photo_io import Image16

MIN_SIDE = 4  # smaller inputs are edge-padded to this, then the output is cropped back


UNKNOWN_RADIUS = 16  # LR pixels of tile overlap when a user IR does not say (ours: 4-11)


class Upscaler:
    """A model (shipped weights, or ``weights``) on OpenVINO or PyTorch, ready to upscale.

    Args:
        model: registry name (fsrcnn, srcnn, dcscn, ...).
        scale: 2, 3 or 4.
        backend: "openvino", "torch" or "auto" (OpenVINO when its IR is in the manifest).
        precision: "int8" or "fp32" for OpenVINO ("auto": INT8 where the manifest has it).
        tile: LR tile side in pixels (None: 256; 0: whole image at once).
        threads: inference threads (None: one per physical core; never more than the CPUs
            this process may use).
        weights: your own weights file (runs PyTorch).
        ir_dir: an IR store of your own (``xeonsr export --weights W --ir-dir D``).
        streams: OpenVINO streams, for several images at once (:mod:`xeonsr.folder`).
    """

    def __init__(
        self,
        model: str = "fsrcnn",
        scale: int = 3,
        *,
        backend: str = "auto",
        precision: str = "auto",
        tile: int | None = None,
        threads: int | None = None,
        weights: str | None = None,
        ir_dir: str | None = None,
        streams: int = 1,
    ) -> None:
        from xeonsr.protocol import check_scale
        from xeonsr.runtime import load_runner
        from xeonsr.threads import apply_threads, plan_threads

        self.model_name, self.scale = model, check_scale(scale)
        self.tile = 256 if tile is None else tile
        self.threads = plan_threads(threads)
        apply_threads(self.threads)
        self.backend, self.precision = self._choose(backend, precision, weights, ir_dir)
        kind = f"ov-{self.precision}" if self.backend == "openvino" else "torch-fp32"
        self.runner = load_runner(
            model, self.scale, kind, weights=weights, ir_dir=ir_dir, threads=self.threads.used, streams=streams
        )
        self.radius = (self.runner.receptive_radius or UNKNOWN_RADIUS) + 4

    def for_thread(self) -> Upscaler:
        """This upscaler for one more worker thread (its own OpenVINO infer request)."""
        other = copy.copy(self)
        other.runner = self.runner.for_thread()
        return other

    def _choose(self, backend: str, precision: str, weights, ir_dir) -> tuple[str, str]:
        from xeonsr.irs import read_manifest, store_dir

        if backend == "torch" or weights:
            return "torch", "fp32"
        from xeonsr.info import cpu_info, ir_precision_order

        have = read_manifest(store_dir(ir_dir))["models"]
        order = ir_precision_order(cpu_info()) if precision == "auto" else [precision]
        for prec in order:
            if f"{self.model_name}_x{self.scale}_{prec}" in have:
                return "openvino", prec
        if backend == "openvino":
            raise UserError(
                f"no OpenVINO {'/'.join(order)} IR for {self.model_name} x{self.scale}; "
                f"run `xeonsr export --model {self.model_name} --scale {self.scale}`"
            )
        return "torch", "fp32"

    # -- planes ------------------------------------------------------------------------------
    def _model_plane(self, x: np.ndarray) -> np.ndarray:
        """(h, w) float32 on [0, 1] -> (s*h, s*w) float32 through the network."""
        return self.runner(np.ascontiguousarray(x, dtype=np.float32)[None, None])[0, 0]

    def _bicubic_plane(self, x: np.ndarray) -> np.ndarray:
        """Chroma and alpha: MATLAB bicubic in numpy (the models' bicubic layer), in float32:
        2x faster than float64 and within 1e-4 of it on 0..1 planes."""
        return imresize(x, self.scale, dtype=np.float32).astype(np.float32, copy=False)

    def _tiled(self, plane_fn, x: np.ndarray) -> np.ndarray:
        """Apply ``plane_fn`` tile by tile with an overlap of the receptive field."""
        h, w = x.shape
        s, t, r = self.scale, self.tile, self.radius
        if t <= 0 or (h <= t and w <= t):
            return plane_fn(x)
        out = np.empty((h * s, w * s), np.float32)
        for y0 in range(0, h, t):
            for x0 in range(0, w, t):
                y1, x1 = min(y0 + t, h), min(x0 + t, w)
                ya, xa = max(0, y0 - r), max(0, x0 - r)
                yb, xb = min(h, y1 + r), min(w, x1 + r)
                sr = plane_fn(x[ya:yb, xa:xb])
                out[y0 * s : y1 * s, x0 * s : x1 * s] = sr[(y0 - ya) * s : (y1 - ya) * s, (x0 - xa) * s : (x1 - xa) * s]
        return out

    def upscale_array(self, arr: np.ndarray, to_planes, finish, out_dtype, out_channels: int) -> np.ndarray:
        """Upscale an HW(C) array band by band so memory stays bounded by the tile size.

        ``to_planes(rows)`` turns input rows into (C, rows, w) float32 planes (channel 0 gets the
        model, the others bicubic); ``finish(planes)`` turns upscaled planes into output rows.
        Bands overlap by the receptive field, and only their exact centre rows are kept.
        """
        h, w = arr.shape[:2]
        ph, pw = max(0, MIN_SIDE - h), max(0, MIN_SIDE - w)
        if ph or pw:  # tiny inputs: edge-pad, upscale, crop back
            pad = ((0, ph), (0, pw)) + ((0, 0),) * (arr.ndim - 2)
            big = self.upscale_array(np.pad(arr, pad, mode="edge"), to_planes, finish, out_dtype, out_channels)
            return big[: h * self.scale, : w * self.scale]
        s, r = self.scale, self.radius
        band = h if self.tile <= 0 else self.tile
        shape = (h * s, w * s) + ((out_channels,) if out_channels > 1 else ())
        out = np.empty(shape, out_dtype)
        for y0 in range(0, h, band):
            y1 = min(y0 + band, h)
            ya, yb = max(0, y0 - r), min(h, y1 + r)
            planes = to_planes(arr[ya:yb])
            up = np.stack(
                [
                    self._tiled(self._model_plane if c == 0 else self._bicubic_plane, planes[c])
                    for c in range(planes.shape[0])
                ]
            )
            out[y0 * s : y1 * s] = finish(up[:, (y0 - ya) * s : (y1 - ya) * s])
        return out

    # -- images ------------------------------------------------------------------------------
    def upscale(self, image):
        """PIL image in, PIL image out (mode, alpha, 16-bit grey, ICC profile preserved);
        an :class:`Image16` in, an :class:`Image16` out."""
        from PIL import Image, ImageOps

        if isinstance(image, Image16):
            return Image16(self._upscale_rgb(image.pixels, 65535.0, np.uint16), image.icc)
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        if image.mode == "P":
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        elif image.mode not in ("RGB", "RGBA", "L", "LA", "I;16", "I;16B", "I;16L", "I"):
            image = image.convert("RGB")
        mode = image.mode
        arr = np.asarray(image)
        if mode.startswith("I"):
            out = self.upscale_array(
                arr,
                lambda a: (a.astype(np.float32) / 65535.0)[None],
                lambda p: np.clip(np.floor(p[0] * 65535.0 + 0.5), 0, 65535).astype(np.uint16),
                np.uint16,
                1,
            )
            res = Image.fromarray(out)
        elif mode in ("L", "LA"):
            planes = (
                (lambda a: (a.astype(np.float32) / 255.0)[None])
                if mode == "L"
                else (lambda a: np.moveaxis(a.astype(np.float32) / 255.0, 2, 0))
            )
            finish = (lambda p: _to8(p[0])) if mode == "L" else (lambda p: _to8(np.moveaxis(p, 0, 2)))
            res = Image.fromarray(self.upscale_array(arr, planes, finish, np.uint8, 1 if mode == "L" else 2), mode)
        else:
            res = Image.fromarray(self._upscale_rgb(arr, 255.0, np.uint8), mode)
        if icc:
            res.info["icc_profile"] = icc
        return res

    def _upscale_rgb(self, arr: np.ndarray, top: float, dtype) -> np.ndarray:
        """RGB(A) on 0..top: Y through the model, Cb/Cr (and alpha) through bicubic."""

        def planes(a):
            rgb = a[:, :, :3].astype(np.float64) * (255.0 / top)  # the protocol's YCbCr is on 0..255
            ycc = np.moveaxis(rgb_to_ycbcr(rgb).astype(np.float32) / 255.0, 2, 0)
            return ycc if a.shape[2] == 3 else np.concatenate([ycc, a[None, :, :, 3].astype(np.float32) / top])

        def finish(p):
            rgb = ycbcr_to_rgb(np.moveaxis(p[:3], 0, 2) * 255.0) / 255.0
            if p.shape[0] == 4:
                rgb = np.concatenate([rgb, p[3][:, :, None]], axis=2)
            return np.clip(np.floor(rgb * top + 0.5), 0, top).astype(dtype)

        return self.upscale_array(arr, planes, finish, dtype, arr.shape[2])


def _to8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(x * 255.0 + 0.5), 0, 255).astype(np.uint8)
