"""Which IR `xeonsr upscale` runs first on a CPU when no precision is asked for: the INT8 IR
where INT8 pays there, else FP32 (:mod:`xeonsr.info` tells the CPU's facts and, in
``int8_first_note``, the reason in words)."""

from __future__ import annotations

from xeonsr.info import CpuInfo


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
      0.97x its FP32 IR, FSRCNN x3's 1.19x, FSRCNN-s 1.12x, DCSCN 1.06x (Set14 x3, 2 threads,
      three runs).
    """
    if cpu.int8_dot:
        return ["int8", "fp32"]
    if cpu.wide_avx2 and int8_target == "avx2":
        return ["int8", "fp32"]
    return ["fp32", "int8"]
