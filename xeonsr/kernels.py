"""Which OpenVINO CPU kernel runs each convolution: choices measured per IR and CPU class.

OpenVINO's CPU plugin picks a convolution's implementation from a fixed priority list. On
AVX-512 CPUs without AMX it prefers its brgemm kernels (``brgconv_*``), which on these
small-channel SR layers are often slower than its direct JIT kernels (``jit_avx512*``, blocked
nChw16c layout): FSRCNN x3 INT8 runs 1.22x faster with 9 of its 10 convolutions on them (Zen 4,
2 threads, Set14-sized input), while the INT8 JIT kernel on a one-channel first layer changes the
output by a grey level and SRCNN's FP32 9x9 layer gets slower. With AMX its INT8 defaults are
AMX kernels (``brgconv_avx512_amx*``, ``jit_avx512_amx*``), another set of choices, so AMX
CPUs are a class of their own. So nothing is a rule: a plan,
{layer: kernel}, is measured per IR (:func:`xeonsr.tune.tune`, ``xeonsr tune``), checked to give the same
output, and kept in the store's manifest under the CPU class and inference precision it was
measured with: the class's record, and beside it one per CPU design tuned since that measured
otherwise (two AMX Xeons disagreed on three IRs' plans and on FSRCNN x2's bf16 against INT8).
:func:`plan_for` hands a plan to ``compile_ir`` only on a CPU of that class (its design's record
first), for that IR (sha256) under that OpenVINO version.

A node asks for a kernel through its rt_info "PrimitivesPriority" ("cpu:jit_avx512"); the plugin
falls back to its own list where that kernel cannot run (an AVX2-only CPU gets jit_avx2, which
is why plans are not applied there: it would not be the default brgconv_avx2 either). The
plugin reads the attribute only from a serialized IR, so :func:`with_kernels` writes the model
to a temporary IR and reads it back.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from xeonsr.info import cpu_class, cpu_info

# Kernels a plan may ask for. Not jit_avx512_1x1: in OpenVINO 2026.4 it returned wrong pixels
# (errors up to 3.6 on [0, 1]) for FSRCNN-s x3's 1x1 expanding layer in bf16 on 83x120 and
# 166x120 inputs, while 160x140 matched; the plain JIT kernel runs 1x1 layers as well.
CANDIDATES = ("jit_avx512",)
# Input sizes (height, width) every allowed kernel is checked on: widths and heights with every
# remainder a vector tail can have, small and Set14-sized, each with a noise and a smooth image.
VERIFY_SIZES = ((140, 160), (120, 83), (96, 117), (61, 37), (33, 200), (129, 255), (17, 16))
# Largest output change a kernel may make, on [0, 1]: float summation order moves ~1e-6; one
# grey level (0.004) is a different function and is refused.
MAX_DIFF = 2e-5
# A layer's kernel changes only for a gain above the noise of a paired timing (shared hosts
# move 25% between runs, ~3% between two interleaved rounds).
MIN_GAIN = 1.03


# Kernels never to run, and what to ask for instead: kernel -> (kernel asked for, which
# convolutions: a test on their (kernel height, kernel width), None for all). The first two found on an
# Intel Xeon with AMX (family 6 model 167), OpenVINO 2026.4.1, on INT8 layers:
# - the 1x1 AMX kernel segfaults on a dynamic-shape input of some sizes
#   (openvinotoolkit/openvino#37577, open): FSRCNN's 12 -> 56 expanding layer crashed on 71 of
#   150 random sizes in every FSRCNN INT8 IR, on none once on jit_avx512 (VNNI);
# - the brgemm AMX kernel computes the FSRCNN heads' column layers (kernel kx1, padded above
#   and below) wrongly: the x2 heads' 5x1 on inputs 137 or more wide, static or dynamic, by up to
#   14 grey levels (FSRCNN and FSRCNN-s x2 INT8 lost 0.05-0.07 dB more on Set5 + Set14 than on
#   the VNNI kernels; a QAT test's IR 2.1 dB), the x3 heads' 3x1 in the top rows of a noise
#   image (up to 38 grey levels). Every other shipped layer on it computed what the VNNI kernels
#   compute (tests/test_kernels.py checks every shipped INT8 IR against them).
# - OpenVINO 2023.3 (the deployment floor) runs those column layers on an older AMX kernel,
#   `jit_avx512_amx_I8`, as wrongly or worse: on an Emerald Rapids Xeon (session 66) FSRCNN x3
#   INT8 crashed the process ("malloc(): corrupted top size") or, with its first layer in blocks,
#   lost up to 13.6 dB on a Set5 + Set14 image (the slow floor test in tests/test_wheel.py); moved,
#   every shipped IR gives 2026.4's PSNR within 0.0026 dB per image
#   (`python scripts/openvino_versions.py 2023.3.0 --data-dir ../shared/datasets`).
def _column(kh: int, kw: int) -> bool:
    return kw == 1 and kh > 1


AVOID = {
    "jit_avx512_amx_1x1_I8": ("jit_avx512", None),
    "brgconv_avx512_amx_I8": ("jit_avx512", _column),
    "jit_avx512_amx_I8": ("jit_avx512", _column),
}


def plan_key(cls: str, inference_precision: str, design: str | None = None) -> str:
    """A record's key: "avx512_amx/f32" is the class's (what every CPU of the class runs unless
    its own design was tuned), "avx512_amx/f32/family 6 model 167" one design's."""
    return f"{cls}/{inference_precision}" + (f"/{design}" if design else "")


def cpu_key(cpu) -> str:
    """The design a record is measured on (xeonsr.info.CpuInfo.generation). Two AMX Xeons
    disagreed on FSRCNN x2's bf16 against INT8 by ~10% either way and on three IRs' kernel plans
    (docs/int8.md), so one record per class could not be right for both."""
    return cpu.generation or cpu.model


def record_design(record: dict) -> str:
    """The design a record was measured on, from its "cpu" (the model name xeonsr.info gives)."""
    found = re.search(r"family \d+ model \d+", record.get("cpu", ""))
    return found.group(0) if found else record.get("cpu", "")


def is_current(entry: dict, record: dict | None) -> bool:
    # measured on this version of the IR, and checked with this OpenVINO (another's kernels may
    # compute otherwise)
    return (
        bool(record)
        and record.get("xml_sha256") == entry.get("xml_sha256")
        and record.get("openvino") == openvino_version()
    )


def plan_record(entry: dict | None, inference_precision: str, cpu=None) -> dict | None:
    """The manifest entry's record a run on ``cpu`` uses (default this one; a set of flags alone
    finds its class's): its design's, else its class's, passing over one of another IR or OpenVINO."""
    if not entry or not entry.get("kernels"):
        return None
    cpu = cpu_info() if cpu is None else cpu
    flags, design = (cpu, None) if isinstance(cpu, (set, frozenset)) else (cpu.flags, cpu_key(cpu))
    cls = cpu_class(flags)
    if cls is None:
        return None
    for key in (plan_key(cls, inference_precision, design), plan_key(cls, inference_precision)):
        record = entry["kernels"].get(key)
        if is_current(entry, record):
            return record
    return None


def plan_for(entry: dict | None, inference_precision: str, cpu=None) -> dict | None:
    """The plan ({layer: kernel}) of :func:`plan_record`, if any."""
    record = plan_record(entry, inference_precision, cpu)
    return (record["layers"] or None) if record else None


# bf16 goes first under --precision auto where `xeonsr tune` timed the FP32 IR in bf16 at least
# this much faster than the INT8 IR on this CPU (median of its interleaved rounds): bf16 also
# loses less PSNR (0.005-0.025 dB on BSD200-val against INT8's budget of 0.05). On an Emerald
# Rapids Xeon FSRCNN-s x2 ran 1.15-1.22x in bf16 (benchmarks/probes/int8_float_layers_bf16.py).
BF16_FIRST_MARGIN = 1.05


def bf16_first(int8: dict | None, fp32: dict | None, cpu=None) -> bool:
    """Whether `xeonsr tune` found the FP32 IR ``fp32`` in bf16 faster than the INT8 IR ``int8``
    by BF16_FIRST_MARGIN (both IRs and OpenVINO as measured): on this CPU's design where it was
    tuned, else on every design of its class that was (a design nobody tuned keeps INT8 first
    unless all of its class ran bf16 faster)."""
    if not int8 or not fp32 or not int8.get("kernels"):
        return False
    cpu = cpu_info() if cpu is None else cpu
    cls = cpu_class(cpu.flags)
    if cls is None:
        return False
    timed = {
        key: record["bf16_vs_int8"]
        for key, record in int8["kernels"].items()
        if key.split("/")[:2] == [cls, "f32"]
        and is_current(int8, record)
        and record.get("fp32_sha256") == fp32.get("xml_sha256")
        and "bf16_vs_int8" in record
    }
    own = timed.get(plan_key(cls, "f32", cpu_key(cpu)))
    if own is None and plan_key(cls, "f32") in timed:
        record = int8["kernels"][plan_key(cls, "f32")]
        own = timed[plan_key(cls, "f32")] if record_design(record) == cpu_key(cpu) else None
    ratio = own if own is not None else min(timed.values(), default=0)
    return ratio >= BF16_FIRST_MARGIN


def avoided(compiled, ov_model) -> dict[str, str]:
    """{layer: kernel} moving every convolution of ``ov_model`` that ``compiled`` runs on an AVOID
    kernel (where its condition holds) off it ({} if none). The runtime model names each node's
    kernel at compile time, dynamic shapes included, and the original layers fused into it."""
    shapes = {}
    for op in ov_model.get_ordered_ops():
        if op.get_type_name() in ("Convolution", "GroupConvolution"):
            k = op.input(1).get_partial_shape()
            n = k.rank.get_length()  # no negative indices before OpenVINO 2024.x
            shapes[op.get_friendly_name()] = (k[n - 2].get_length(), k[n - 1].get_length())
    moves = {}
    for op in compiled.get_runtime_model().get_ordered_ops():
        rt = op.get_rt_info()
        rule = AVOID.get(rt["primitiveType"].astype(str)) if "primitiveType" in rt else None
        if rule:
            kernel, applies = rule
            names = rt["originalLayersNames"].astype(str).split(",") if "originalLayersNames" in rt else []
            moves.update({n: kernel for n in names if n in shapes and (applies is None or applies(*shapes[n]))})
    return moves


def openvino_version() -> str | None:
    from xeonsr.installed import versions_of

    return versions_of("openvino")["openvino"]


def conv_layers(ov_model) -> list[tuple[str, str]]:
    """(name, "1x1" or "kxk") of every convolution, in graph order."""
    out = []
    for op in ov_model.get_ordered_ops():
        if op.get_type_name() in ("Convolution", "GroupConvolution"):
            k = op.input(1).get_partial_shape()
            n = k.rank.get_length()
            one = str(k[n - 1]) == "1" and str(k[n - 2]) == "1"
            out.append((op.get_friendly_name(), "1x1" if one else "kxk"))
    return out


def asked_kernels(ov_model) -> dict[str, str]:
    """{layer: kernel} that a host form asked for through a layer's rt_info (xeonsr.ir_blocked):
    OpenVINO honours such a request only in a model it reads, so compile_ir passes these on
    through :func:`with_kernels` with the plan's."""
    out = {}
    for op in ov_model.get_ordered_ops():
        rt = op.get_rt_info()
        if "PrimitivesPriority" in rt:
            out[op.get_friendly_name()] = rt["PrimitivesPriority"].astype(str).split(":", 1)[-1]
    return out


def with_kernels(ov_model, layers: dict[str, str]):
    """A copy of ``ov_model`` whose named convolutions ask for the given kernels."""
    import openvino as ov

    if not layers:
        return ov_model
    model = ov_model.clone()
    found = set()
    for op in model.get_ordered_ops():
        kernel = layers.get(op.get_friendly_name())
        if kernel:
            op.get_rt_info()["PrimitivesPriority"] = f"cpu:{kernel}"
            found.add(op.get_friendly_name())
    missing = set(layers) - found
    if missing:
        raise ValueError(f"kernel plan names layers this IR lacks: {sorted(missing)[:3]}")
    with tempfile.TemporaryDirectory(prefix="xeonsr-kernels-") as tmp:
        path = Path(tmp) / "m.xml"
        ov.save_model(model, str(path), compress_to_fp16=False)
        return ov.Core().read_model(str(path))
