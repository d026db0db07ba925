"""OpenVINO: compile an IR with explicit precision, threads and hint (xeonsr.runtime runs it).

One image at a time: the LATENCY hint, one stream using every thread asked for. A folder:
``streams`` > 1 selects the THROUGHPUT hint with that many streams (xeonsr.threads.plan_streams
chooses them per socket), each stream serving one infer request at a time.

The inference precision is always set (f32 unless asked otherwise): on CPUs with bf16 or AMX
the runtime would otherwise switch to bf16 by itself, and "fp32" figures would not be fp32.
"""

from __future__ import annotations

from pathlib import Path


def compile_ir(
    xml: Path,
    threads: int | None = None,
    inference_precision: str = "f32",
    profiling: bool = False,
    streams: int = 1,
    kernels: dict[str, str] | None = None,
):
    """``kernels``: {layer: kernel} asked of the plugin (a plan measured by xeonsr.kernels)."""
    import openvino as ov
    import openvino.properties as props
    import openvino.properties.hint as hints

    core = ov.Core()
    mode = hints.PerformanceMode.THROUGHPUT if streams > 1 else hints.PerformanceMode.LATENCY
    config = {
        hints.performance_mode: mode,
        hints.inference_precision: ov.Type.f32 if inference_precision == "f32" else ov.Type.bf16,
    }
    if threads:
        config[props.inference_num_threads] = int(threads)
    if streams > 1:
        config[props.num_streams] = int(streams)
    if profiling:  # per-node counters (xeonsr profile); they cost a little time, so off otherwise
        config[props.enable_profiling] = True
    model = xml if isinstance(xml, ov.Model) else read_ir(xml)
    if kernels:
        from xeonsr.kernels import with_kernels

        model = with_kernels(model, kernels)
    return core.compile_model(model, "CPU", config)


def read_ir(xml: Path):
    """The IR at ``xml`` as an ov.Model, or one line saying why it cannot be read."""
    import openvino as ov

    try:
        return ov.Core().read_model(str(xml))
    except Exception as e:  # noqa: BLE001 - OpenVINO raises RuntimeError with pages of text
        from xeonsr.irs import IRError

        raise IRError(f"{xml}: OpenVINO cannot read this IR ({str(e).strip().splitlines()[0][:200]})") from None
