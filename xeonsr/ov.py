"""OpenVINO runtime: compile an IR with explicit precision and threads, and upscale with it.

The inference precision is always set (f32 unless asked otherwise): on CPUs with bf16 or AMX
the runtime would otherwise switch to bf16 by itself, and "fp32" figures would not be fp32.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def compile_ir(xml: Path, threads: int | None = None, inference_precision: str = "f32", profiling: bool = False):
    import openvino as ov
    import openvino.properties as props
    import openvino.properties.hint as hints

    core = ov.Core()
    config = {
        hints.performance_mode: hints.PerformanceMode.LATENCY,
        hints.inference_precision: ov.Type.f32 if inference_precision == "f32" else ov.Type.bf16,
    }
    if threads:
        config[props.inference_num_threads] = int(threads)
    if profiling:  # per-node counters (xeonsr profile); they cost a little time, so off otherwise
        config[props.enable_profiling] = True
    try:
        model = core.read_model(str(xml))
    except Exception as e:  # noqa: BLE001 - OpenVINO raises RuntimeError with pages of text
        from xeonsr.export import IRError

        raise IRError(f"{xml}: OpenVINO cannot read this IR ({str(e).strip().splitlines()[0][:200]})") from None
    return core.compile_model(model, "CPU", config)


def ov_upscale_fn(compiled):
    """LR Y (h, w) float 0..255 -> SR Y float 0..255 through a compiled IR."""
    request = compiled.create_infer_request()

    def fn(lr: np.ndarray) -> np.ndarray:
        x = (np.ascontiguousarray(lr, dtype=np.float32) / 255.0)[None, None]
        out = request.infer({0: x})
        return next(iter(out.values()))[0, 0] * 255.0

    return fn


def openvino_upscale_fn(model: str, scale: int, precision: str, threads: int | None = None):
    """-> (fn, meta) for the manifest's verified IR of ``model`` at ``scale``/``precision``."""
    from xeonsr.export import locate_ir

    xml, entry = locate_ir(model, scale, precision)
    compiled = compile_ir(xml, threads)
    meta = {"ir": str(xml), "ir_precision": precision, "ov_inference_precision": "f32", "threads": threads}
    return ov_upscale_fn(compiled), meta
