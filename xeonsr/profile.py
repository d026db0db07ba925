"""Where an OpenVINO IR's time goes on this CPU: the runtime's own per-node counters (medians
over the repeats) beside each convolution's multiply-adds and the rate it reached.

A layer far below the others' rate is the one to look at (on the 2-core AVX2 EPYC, FSRCNN x3's
12-channel INT8 mapping layers run at ~25 GMAC/s and its 56-channel head at ~38); a "Reorder"
row is a precision or layout change between layers that an IR rewrite may avoid.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError


@dataclass
class LayerTime:
    name: str  # the IR's node name, shortened to its module path where it has one
    op: str  # node type: Convolution, Reorder, Concat, ...
    kernel: str  # the implementation the runtime picked, e.g. jit_avx2_I8, brgconv_avx2_f32
    ms: float  # per inference, the median over the repeats
    share: float  # of the summed node times
    macs: int | None  # multiply-adds per inference (convolutions)
    of_peak: float | None = None  # its rate over its kernel's peak (xeonsr.peaks.kernel_peak), where asked

    @property
    def gmacs_per_s(self) -> float | None:
        return self.macs / (self.ms * 1e6) if self.macs and self.ms > 0 else None


def parse_size(text: str) -> tuple[int, int]:
    """'WxH' -> (height, width)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size wants WIDTHxHEIGHT in LR pixels, e.g. 160x140, not {text!r}") from None
    if w < 8 or h < 8:
        raise UserError(f"--size {text}: at least 8x8 LR pixels")
    if w * h > 16_000_000:  # 100000x100000 was a MemoryError, reported as an internal one
        raise UserError(f"--size {text}: at most 16 megapixels of LR input (4000x4000)")
    return h, w


def short_name(node: str) -> str:
    # "__module.body.4/aten::_convolution/Convolution" -> "body.4"; a Reorder between two
    # layers, "<from>_f32_u8_<to>", becomes "body.0_f32_u8_body.2".
    for noise in ("/aten::_convolution/Convolution", "__module."):
        node = node.replace(noise, "")
    return node


def resolve_ir(target: str, scale: int, precision: str, ir_dir=None) -> tuple[Path, dict | None]:
    """A registry model name (its IR at scale and precision in store ``ir_dir``, default the
    shipped one, with its manifest entry) or an .xml path (no entry)."""
    if target.endswith(".xml"):
        path = Path(target)
        if not path.is_file():
            raise UserError(f"no IR at {path}")
        return path, None
    from xeonsr.irs import locate_ir
    from xeonsr.protocol import check_scale

    try:
        from xeonsr.models import get_spec
    except ModuleNotFoundError:  # the slim install (no torch): the IR store's error names the IR
        pass
    else:
        get_spec(target)  # an unknown name says which ones exist
    if precision not in ("fp32", "int8", "bf16"):
        raise UserError(f"--precision is fp32, int8 or bf16, not {precision!r}")
    from xeonsr.irs import named_store

    store = named_store(ir_dir) if ir_dir else None
    return locate_ir(target, check_scale(scale), "fp32" if precision == "bf16" else precision, store)


def profile_ir(
    xml: Path,
    size: tuple[int, int],
    threads: int,
    warmup: int = 5,
    repeats: int = 30,
    kernels: dict[str, str] | None = None,
    peaks: bool = False,
    inference_precision: str = "f32",
) -> dict:
    """Per-node time of ``xml`` on a (1, 1, *size) input: {"layers": [LayerTime...], totals}.
    ``kernels``: the IR's measured kernel plan (xeonsr.kernels), as every run applies it.
    ``peaks``: also each convolution kernel's practical peak, measured after the repeats
    (xeonsr.peaks.kernel_peak), and each layer's share of its kernel's: how far it is from
    the roofline of the code that runs it."""
    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms, static_forms_apply
    from xeonsr.ir_graph import conv_macs
    from xeonsr.ov import compile_ir, read_ir
    from xeonsr.ov_shapes import for_shape

    if repeats < 1:
        raise UserError("--repeats must be at least 1")
    model = read_ir(xml)  # as stored: its layers' multiply-adds, by name
    graph, cls = model.clone(), cpu_info().forms_class
    infer = inference_precision  # "bf16": the FP32 IR as ov-bf16 runs it (its forms, plan and precision)
    forms = host_forms(graph, cls, infer, kernels, lr_size=size)  # what a run at this size computes
    if static_forms_apply(graph, cls):  # and a size run again gets a network of its own (xeonsr.ov_shapes)
        graph, forms = for_shape(model, (1, 1, *size), cls, infer, kernels)
    compiled = compile_ir(graph, threads, inference_precision=infer, profiling=True, kernels=kernels)
    rank = model.inputs[0].get_partial_shape().rank if len(model.inputs) == 1 else None
    if rank is None or rank.is_dynamic or rank.get_length() != 4:
        raise UserError(f"{xml}: xeonsr profile takes IRs with one (N, 1, H, W) input, as xeonsr exports")
    try:
        macs = conv_macs(model, size=size, skip=True)
    except Exception as e:  # noqa: BLE001 - OpenVINO's reshape error is pages long
        raise UserError(
            f"{xml}: cannot run it on a (1, 1, H, W) input ({str(e).strip().splitlines()[0][:120]})"
        ) from None
    # A layer a form computes in parts (LAYER/part{i}, xeonsr.ir_concat; LAYER/half{i},
    # xeonsr.ir_blocked) shows each part's own.
    parts = {k: v for k, v in conv_macs(graph, size=size, skip=True).items() if "/part" in k or "/half" in k}
    request = compiled.create_infer_request()
    x = np.random.default_rng(0).random((1, 1, *size), dtype=np.float32)  # timing does not depend on content
    for _ in range(warmup):
        request.infer({0: x})
    times: dict[tuple[str, str, str], list[float]] = {}
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        request.infer({0: x})
        walls.append((time.perf_counter() - t0) * 1e3)
        for p in request.profiling_info:
            key = (p.node_name, p.node_type, p.exec_type)
            times.setdefault(key, []).append(p.real_time.total_seconds() * 1e3)
    # Medians, like the wall time: on a shared machine a few slow repeats would skew means.
    medians = {key: statistics.median(ts) for key, ts in times.items()}
    summed = sum(medians.values())
    layers = [
        LayerTime(short_name(n), t, k, ms, ms / summed if summed else 0.0, macs.get(n, parts.get(n)))
        for (n, t, k), ms in medians.items()
        if ms > 0
    ]
    layers.sort(key=lambda r: -r.ms)
    kernel_peaks = {}
    if peaks:
        from xeonsr.peaks import kernel_peak

        for kernel in dict.fromkeys(r.kernel for r in layers if r.macs):
            kernel_peaks[kernel] = kernel_peak(kernel, threads)
        for r in layers:
            peak = kernel_peaks.get(r.kernel)
            if peak and r.gmacs_per_s:
                r.of_peak = 2 * r.gmacs_per_s / peak
    all_macs = sum(macs.values())
    wall = statistics.median(walls)
    try:
        shown = xml.resolve().relative_to(Path.cwd())  # the shipped IRs, as a checkout names them
    except ValueError:
        shown = xml
    return {
        "ir": str(shown),
        "inference_precision": infer,
        "lr_size": list(size),
        "threads": threads,
        "repeats": repeats,
        "kernel_plan": len(kernels or {}),
        "host_forms": forms,  # layers compiled in this CPU's exact forms (xeonsr.ir_forms.HOST_FORMS)
        "wall_ms": wall,  # median, with the counters on
        "summed_node_ms": summed,  # the nodes' medians added up
        "macs": all_macs,
        "gmacs_per_s": all_macs / (wall * 1e6),
        "layers": layers,
        **({"kernel_peaks": kernel_peaks} if peaks else {}),  # G(FL)OP/s per kernel; None: not measurable
    }


def table(result: dict, top: int | None = None) -> str:
    h, w = result["lr_size"]
    lines = [
        f"{result['ir']}{' in bf16' if result.get('inference_precision') == 'bf16' else ''} on a {w}x{h} LR input, "
        f"{result['threads']} threads, {result['repeats']} repeats: "
        f"{result['wall_ms']:.2f} ms per inference (median, counters on), nodes sum to "
        f"{result['summed_node_ms']:.2f} ms; {result['macs'] / 1e6:.1f} MMAC -> {result['gmacs_per_s']:.1f} GMAC/s"
        + (f"; {result['kernel_plan']} layers on measured kernels" if result.get("kernel_plan") else "")
        + (f"; {len(result['host_forms'])} layer(s) in this CPU's exact forms" if result.get("host_forms") else ""),
    ]
    peaks = result.get("kernel_peaks")
    if peaks:
        shown = ", ".join(f"{k} {v:.0f}" if v else f"{k} -" for k, v in peaks.items())
        how = "256-channel layers on 56x56 asked for each kernel, after the repeats"
        lines.append(f"kernel peaks (G(FL)OP/s, {how}): {shown}")
    head = f"{'ms':>8} {'share':>6} {'MMAC':>8} {'GMAC/s':>7}" + (f" {'of peak':>7}" if peaks else "")
    lines.append(f"{head}  {'op':<14} {'kernel':<24} layer")
    for r in result["layers"][:top]:
        mm = f"{r.macs / 1e6:8.2f}" if r.macs else f"{'':8}"
        rate = f"{r.gmacs_per_s:7.1f}" if r.gmacs_per_s else f"{'':7}"
        if peaks:
            rate += f" {100 * r.of_peak:6.0f}%" if r.of_peak else f" {'':7}"
        lines.append(f"{r.ms:8.3f} {100 * r.share:5.1f}% {mm} {rate}  {r.op:<14} {r.kernel:<24} {r.name}")
    return "\n".join(lines)


def to_json(result: dict) -> dict:
    return {**result, "layers": [{**asdict(r), "gmacs_per_s": r.gmacs_per_s} for r in result["layers"]]}
