"""What this CPU and software stack can do, and the backend/precision xeonsr picks from it."""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
from dataclasses import dataclass, field

SPEED_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512dq",
    "avx512_vnni",
    "avx512_bf16",
    "avx_vnni",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
    "avx_ne_convert",
)


# Intel family 6 models of Haswell (0x3C, 0x3F, 0x45, 0x46) and Broadwell (0x3D, 0x47, 0x4F, 0x56).
HASWELL_BROADWELL = frozenset({0x3C, 0x3F, 0x45, 0x46, 0x3D, 0x47, 0x4F, 0x56})


@dataclass
class CpuInfo:
    model: str
    logical_cpus: int
    physical_cores: int
    usable_cpus: int
    flags: set[str] = field(default_factory=set)
    family: int | None = None  # /proc/cpuinfo "cpu family" and "model"
    model_number: int | None = None

    @property
    def generation(self) -> str | None:
        """ "family F model N": what xeonsr.kernels keeps timings of one CPU design under (a VM's
        model name may say only "AMD EPYC"; SKUs of one design share it)."""
        if self.family is None or self.model_number is None:
            return None
        return f"family {self.family} model {self.model_number}"

    @property
    def native_bf16(self) -> bool:
        # oneDNN runs bf16 at speed with AVX512-BF16 or AMX; AVX-NE-CONVERT only converts.
        return bool(self.flags & {"avx512_bf16", "amx_bf16"}) and cap_allows("bf16")

    @property
    def int8_dot(self) -> bool:
        # What the INT8 kernels run, not what the CPU has: under a cap below VNNI they sum pairs
        # of products in int16 (saturating) as on an AVX2 CPU, so the AVX2-made IR is the one.
        return bool(self.flags & {"avx512_vnni", "avx_vnni", "amx_int8"}) and cap_allows("vnni")

    @property
    def isa_class(self) -> str:
        """The INT8 CPU class IRs are made for: "amx" (AMX tiles: OpenVINO runs its AMX
        convolutions only on inputs without a zero point), "vnni" (int8 dot products) or "avx2"
        (pairs of products summed in saturating int16)."""
        if "amx_int8" in self.flags and cap_allows("amx"):
            return "amx"
        return "vnni" if self.int8_dot else "avx2"

    @property
    def forms_class(self) -> str:
        """The class xeonsr.ir_forms.HOST_FORMS is keyed by: the kernel-plan class where there is
        one ("avx512_vnni", "avx512_amx"; :func:`cpu_class`), else the INT8 class ("avx2", "vnni", "amx")."""
        return cpu_class(self.flags) or self.isa_class

    @property
    def half_width_avx2(self) -> bool:
        """AVX2 split over 128-bit units: AMD Zen 1/Zen+ (family 23 below model 0x30) and
        Hygon's Zen-1 Dhyana (family 24). INT8 without VNNI gains little there."""
        if self.family == 24:
            return True
        return self.family == 23 and self.model_number is not None and self.model_number < 0x30

    @property
    def int8_at_fp32_rate(self) -> bool:
        """INT8 without VNNI multiplies no faster than FP32: AMD family 23 (Zen 1, Zen+, Zen 2)
        and Hygon's family 24, on 128-bit units (Zen 1/Zen+) or through one vector integer
        multiply pipe beside two FMA pipes (Zen 2: practical peaks INT8 197-209 GOP/s, FP32
        202-206 GFLOP/s, AMD EPYC family 23 model 49, 2 threads; docs/performance.md). Intel's
        Haswell and Broadwell have the same one multiply port beside two FMA ports by the
        instruction tables (not measured here); Skylake and later two."""
        if self.family in (23, 24):
            return True
        return self.family == 6 and self.model_number in HASWELL_BROADWELL

    @property
    def wide_avx2(self) -> bool:
        """AVX2 where INT8 without VNNI runs at about twice the FP32 rate (Intel since Skylake,
        AMD since Zen 3: 363-385 GOP/s against 181-192 GFLOP/s on a Zen 3)."""
        return "avx2" in self.flags and not self.int8_at_fp32_rate


def cpu_info(cpuinfo_text: str | None = None) -> CpuInfo:
    """Parse /proc/cpuinfo (or the given text); falls back to platform data elsewhere."""
    if cpuinfo_text is None:
        try:
            with open("/proc/cpuinfo") as f:
                cpuinfo_text = f.read()
        except OSError:
            cpuinfo_text = ""
    model, flags, cores = platform.processor() or "unknown", set(), set()
    phys_id = core_id = family = number = None
    for line in cpuinfo_text.splitlines():
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "model name":
            model = val
        elif key == "cpu family" and family is None:
            family = val
        elif key == "model" and number is None:
            number = val
        elif key == "flags" and not flags:
            flags = set(val.split())
        elif key == "physical id":
            phys_id = val
        elif key == "core id":
            core_id = val
            cores.add((phys_id, core_id))
    if family and number:
        # VMs often say only "AMD EPYC": the family and model tell Zen 1 (23/1) from Zen 4 (25/17).
        model = f"{model} (family {family} model {number})"
    logical = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    return CpuInfo(
        model=model,
        logical_cpus=logical,
        physical_cores=len(cores) or logical,
        usable_cpus=usable,
        flags=flags,
        family=_int(family),
        model_number=_int(number),
    )


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def ipex_status() -> tuple[bool, str]:
    """(importable, why not / version). Imports IPEX only if it is installed."""
    try:
        md.version("intel-extension-for-pytorch")
    except md.PackageNotFoundError:
        return False, "not installed (pip install torch==2.8.0 intel-extension-for-pytorch==2.8.0)"
    try:
        import intel_extension_for_pytorch as ipex  # noqa: F401
    except Exception as e:  # noqa: BLE001 - IPEX raises assorted errors on version mismatch
        from xeonsr.errors import one_line

        return False, f"installed but does not import: {one_line(e)}"
    return True, ipex.__version__


# The last fraction of steps that bf16 training under --precision auto runs in fp32. See
# docs/training.md for the measurements behind it (fp32 vs bf16 vs bf16 + fp32 final phase).
AUTO_FP32_TAIL = 0.1


def resolve_precision(requested: str, cpu: CpuInfo, device: str = "cpu") -> tuple[str, str]:
    """-> (precision, note) for the device that trains.

    'auto': fp32 on CUDA (TF32 convolutions where the GPU has them); on a CPU bf16 only where
    the CPU computes it natively. bf16 asked for on a CPU without it runs emulated, said so.
    """
    if requested not in ("auto", "fp32", "bf16"):
        from xeonsr.errors import UserError

        raise UserError(f"--precision must be auto, fp32 or bf16, not {requested!r}")
    if device == "cuda":
        if requested == "bf16":
            return "bf16", "bf16 autocast on CUDA (asked for)"
        return "fp32", "fp32 on CUDA" + (" (auto: bf16 only when asked for on a GPU)" if requested == "auto" else "")
    if requested == "auto":
        if cpu.native_bf16:
            return "bf16", "bf16: the CPU has native bf16 (AVX512-BF16/AMX)"
        return "fp32", "fp32: no native bf16 on this CPU (needs AVX512-BF16 or AMX)"
    if requested == "bf16" and not cpu.native_bf16:
        return "bf16", (
            "bf16 requested on a CPU without native bf16: it is emulated and will "
            "be much slower than fp32 (~3-10x measured on AVX2)"
        )
    return requested, requested


def resolve_backend(requested: str) -> tuple[str, str]:
    """-> (backend, note). 'auto' is native PyTorch: IPEX 2.8 trained no model faster, even on
    an Intel Xeon with AMX, its best case (2 threads, three runs, beside native torch 2.8 in its
    own environment): in bf16 FSRCNN 0.81-0.85x and FSRCNN-s 0.85-0.87x native, SRCNN 0.99-1.07x,
    DCSCN 1.02-1.05x; in fp32 FSRCNN 0.19-0.33x (docs/training.md). ``ipex`` when asked."""
    if requested == "native":
        return "native", "native PyTorch (oneDNN, channels-last)"
    ok, why = ipex_status()
    if requested == "ipex":
        if not ok:
            from xeonsr.errors import UserError

            raise UserError(f"--backend ipex: intel-extension-for-pytorch {why}")
        return "ipex", f"intel-extension-for-pytorch {why}"
    if ok:
        return "native", f"native PyTorch, faster than IPEX here too (IPEX {why}: --backend ipex)"
    return "native", f"native PyTorch (IPEX {why})"


def onednn_cap() -> str | None:
    """The ISA oneDNN is held to by the environment (ONEDNN_MAX_CPU_ISA, or its old name
    DNNL_MAX_CPU_ISA), or None: its kernels are then not the ones the CPU's flags promise."""
    return os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or None


def cap_allows(feature: str) -> bool:
    """Whether oneDNN (OpenVINO's and torch's), held by ONEDNN_MAX_CPU_ISA, still runs ``feature``
    ("vnni": int8 dot products, "bf16": bf16 arithmetic, "amx") where the CPU has it."""
    cap = (onednn_cap() or "ALL").upper()
    if cap == "ALL" or "AMX" in cap:
        return True
    if feature == "amx":
        return False
    if cap.startswith(("AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX10")):
        return True
    return feature == "vnni" and "VNNI" in cap


def cpu_class(flags: set[str], capped: bool = True) -> str | None:
    """The class of CPU a kernel plan (xeonsr.kernels) is measured on and applied to, or None.

    AVX-512 with VNNI: "avx512_vnni" without AMX (Cascade Lake, Ice Lake, Zen 4), "avx512_amx"
    with it (Sapphire, Emerald, Granite Rapids), whose default kernels are AMX ones and so not
    the same choices. AVX2-only CPUs lack the JIT kernels plans name. ``capped=False``: the class
    the flags give, whatever oneDNN is held to."""
    if capped and onednn_cap():
        return None  # the kernels were capped to another ISA than the flags say
    if {"avx512f", "avx512_vnni"} <= flags:
        return "avx512_amx" if flags & {"amx_tile", "amx_int8", "amx_bf16"} else "avx512_vnni"
    return None


def ir_precision_order(cpu: CpuInfo, int8_target: str | None = "vnni") -> list[str]:
    """Which IR `xeonsr upscale` tries first when no precision is asked for; ``int8_target`` is
    the CPU class the store's INT8 IR was made for (its manifest's ``target_isa``).

    - VNNI/AMX CPUs: INT8 first.
    - AVX2 without VNNI where INT8 runs at twice the FP32 rate (Intel since Skylake, AMD since
      Zen 3; :attr:`CpuInfo.wide_avx2`): INT8 first only for an IR made for ``avx2``. There
      INT8 ran 1.21-2.05x as fast as FP32 (Set14 x3, AMD EPYC Zen 3, docs/performance.md;
      FSRCNN x3's avx2-made IR 1.8x), but the kernels sum pairs of products in saturating int16,
      which a VNNI-made IR's 8-bit weights do not allow for: five shipped INT8 IRs lost more than
      their 0.05 dB budget on their held-out images there (FSRCNN x3 0.067;
      benchmarks/probes/int8_budget_on_host.py). `xeonsr quantize --isa avx2` makes one that
      holds; the shipped store has one per model where it held (``_int8_avx2``).
    - AVX2 with INT8 at the FP32 rate (AMD Zen 1, Zen+, Zen 2; Intel Haswell, Broadwell): FP32
      first. INT8 gained 1.06-1.15x on a Zen 1 (for 0-0.08 dB); on a Zen 2 SRCNN's AVX2 IR ran
      1.19-1.20x its FP32 IR (session 51, a busy host; 0.97x before its copies were made after
      the quantizer, 1.01x before its first layer read 27 of them), FSRCNN x3's 1.19x, FSRCNN-s
      1.12x, DCSCN 1.06x (Set14 x3, 2 threads, three runs each).
    """
    if cpu.int8_dot:
        return ["int8", "fp32"]
    if cpu.wide_avx2 and int8_target == "avx2":
        return ["int8", "fp32"]
    return ["fp32", "int8"]


def int8_first_note(cpu: CpuInfo) -> str:
    """Why `xeonsr upscale` takes the IR it takes first on this CPU (for ``xeonsr info``)."""
    bf16 = "; bf16 first where `xeonsr tune` timed it faster for the model and scale" if cpu.native_bf16 else ""
    if cpu.isa_class == "amx":
        return (
            "the INT8 IR first: int8 dot products (AMX; an IR made for AMX where the store has one, else VNNI's)" + bf16
        )
    if cpu.int8_dot:
        return "the INT8 IR first: int8 dot products (VNNI/AMX)" + bf16
    if cpu.wide_avx2:
        return (
            "the INT8 IR made for AVX2 first (shipped for most models; `xeonsr quantize --isa avx2` "
            "makes one), else FP32: INT8 is 1.2-2x faster on 256-bit AVX2, but an IR made for VNNI "
            "can exceed its PSNR budget without VNNI"
        )
    if "avx2" not in cpu.flags:
        return "the FP32 IR first: no VNNI/AMX or AVX2 here; --precision int8 picks INT8"
    if cpu.half_width_avx2:
        why, gain = "AVX2 on 128-bit units", "1.06-1.15x FP32's speed on a Zen 1"
    else:
        why, gain = "one vector integer multiply pipe", "1.06-1.20x FP32's speed on a Zen 2"
    return (
        f"the FP32 IR first: no VNNI/AMX and {why}, so INT8 multiplies at the FP32 rate here "
        f"(INT8 ran {gain}); --precision int8 picks it"
    )
