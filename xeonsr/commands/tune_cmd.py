"""xeonsr tune: measure which OpenVINO kernel runs each convolution fastest on this CPU and
record the plan in the IR store's manifest (xeonsr.kernels); every OpenVINO run on a CPU of the
same class then uses it. Run it on a quiet machine: it prints how far this host moves a paired
timing, and a plan already recorded is replaced only by one that runs faster than it."""

from __future__ import annotations

from xeonsr.commands import count


def add_arguments(p) -> None:
    p.add_argument("--model", default="all", help="registry name, or all (default)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: every scale in the store)")
    p.add_argument("--precision", default="fp32,int8", help="IR precisions to tune (default fp32,int8)")
    p.add_argument("--ir-dir", default=None, help="the IR store (default: the shipped one; its manifest is written)")
    p.add_argument(
        "--threads", type=count(1), default=None, help="threads to tune for (capped at what the machine has)"
    )
    p.add_argument("--size", default="auto", help="LR input WIDTHxHEIGHT to time (default: a 480x360 HR's LR, Set14's)")
    p.add_argument("--rounds", type=count(1), default=5, help="interleaved timing rounds per decision")


def run(args) -> int:
    import datetime

    from xeonsr.errors import UserError
    from xeonsr.info import cpu_info, onednn_cap
    from xeonsr.irs import (
        IN_CHECKOUT,
        entries,
        int8_entry,
        ir_stem,
        is_shipped,
        named_store,
        set_kernel_plan,
        store_dir,
        verified,
    )
    from xeonsr.kernels import cpu_class, openvino_version, plan_for
    from xeonsr.profile import parse_size
    from xeonsr.protocol import check_scale
    from xeonsr.threads import apply_threads, plan_threads
    from xeonsr.tune import tune

    if args.scale is not None:
        check_scale(args.scale)  # before the CPU's verdict: a typo is named first
    cpu = cpu_info()
    cls = cpu_class(cpu.flags)
    if cls is None and cpu_class(cpu.flags, capped=False):
        raise UserError(
            f"oneDNN is held to {onednn_cap()} by ONEDNN_MAX_CPU_ISA: plans are measured with the kernels "
            "this CPU runs by default; unset it to tune"
        )
    if cls is None:
        raise UserError(
            f"{cpu.model}: kernel plans are for AVX-512 VNNI CPUs (with or without AMX); here "
            "OpenVINO's own choice is used (nothing to tune)"
        )
    ir_dir = named_store(args.ir_dir) if args.ir_dir else store_dir(None)
    if is_shipped(ir_dir) and not IN_CHECKOUT:
        raise UserError("the shipped IR store is tuned in a checkout of xeonsr; give --ir-dir for your own store")
    size = None if args.size == "auto" else parse_size(args.size)
    precisions = [p.strip() for p in args.precision.split(",") if p.strip()]
    stored = entries(ir_dir)
    chosen = [
        e
        for e in stored.values()
        if (args.model == "all" or e["model"] == args.model)
        and (args.scale is None or e["scale"] == args.scale)
        and e["precision"] in precisions
        # only the INT8 IR this CPU runs (its class's, else the next, xeonsr.irs.FALLBACK)
        and (e["precision"] != "int8" or e is int8_entry(stored, e["model"], e["scale"], cpu.isa_class))
    ]
    if not chosen:
        asked = [f"{args.model} IR" if args.model != "all" else "IR", f"at x{args.scale}" if args.scale else ""]
        raise UserError(f"{ir_dir} holds no {' '.join(a for a in asked if a)} of {' or '.join(precisions)} to tune")
    plan = plan_threads(args.threads)
    apply_threads(plan, pin=True)
    print(plan.describe())
    for e in chosen:
        xml = verified(ir_dir, e)
        # f32 only: bf16 plans ran FSRCNN 1.13-1.21x faster but moved some pixels by one or two
        # bf16 steps (up to 2/255) against OpenVINO's own bf16 choice, so they are not the same
        # function; ov-bf16 keeps the plugin's kernels.
        print(f"{e['name']} (inference precision f32):", flush=True)
        # The plan a run here uses (this design's, else the class's) stays unless beaten head to head.
        # Set14's LR at the IR's scale, as against_bf16 times: until session 75 every scale was tuned at
        # 160x140, and plans chosen there lost up to 8% at x2's and x4's LR (benchmarks/probes/design_plans.py)
        lr = size or (360 // e["scale"], 480 // e["scale"])
        res = tune(xml, "f32", plan.used, lr, args.rounds, recorded=plan_for(e, "f32", cpu))
        res.update(
            cpu=cpu.model,
            openvino=openvino_version(),
            xml_sha256=e["xml_sha256"],
            measured=datetime.date.today().isoformat(),
        )
        fp32 = stored.get(ir_stem(e["model"], e["scale"], "fp32"))
        key = record_key(e, cls, cpu)
        if e["precision"] == "int8" and cpu.native_bf16 and fp32 is not None:
            set_kernel_plan(e["name"], key, res, ir_dir)  # the INT8 runner below uses it
            res.update(against_bf16(e, fp32, ir_dir, plan.used, 2 * args.rounds))
        set_kernel_plan(e["name"], key, res, ir_dir)
        print(f"  recorded under {key}", flush=True)
        print(f"  -> {len(res['layers'])} layers on other kernels, {res['speedup']:.2f}x the default", flush=True)
    return 0


def record_key(entry: dict, cls: str, cpu) -> str:
    """Where a tune on ``cpu`` is recorded: the class's record while it has none for this IR and
    OpenVINO, or its record was measured on this design; else this design's own, so that a tune
    on one CPU never changes what the others of its class run."""
    from xeonsr.kernels import cpu_key, is_current, plan_key, record_design

    record = (entry.get("kernels") or {}).get(plan_key(cls, "f32"))
    if not is_current(entry, record) or record_design(record) == cpu_key(cpu):
        return plan_key(cls, "f32")
    return plan_key(cls, "f32", cpu_key(cpu))


def against_bf16(int8: dict, fp32: dict, ir_dir, threads: int, rounds: int) -> dict:
    """The INT8 IR against the FP32 IR in bf16, each as `xeonsr upscale` loads it, in interleaved
    rounds on the LR of a 480x360 image (Set14's size; the ratio moves with it: FSRCNN-s x2's
    bf16 ran 0.85x at 160x140 and 1.15-1.22x at 240x180): (INT8 ms) / (bf16 ms) by the median
    round, which `--precision auto` reads on this CPU design (xeonsr.kernels.bf16_first)."""
    import statistics

    import numpy as np

    from xeonsr.kernels import BF16_FIRST_MARGIN
    from xeonsr.runtime import load_runner
    from xeonsr.tune import time_rounds

    model, scale = int8["model"], int8["scale"]
    runs = [load_runner(model, scale, b, ir_dir=ir_dir, threads=threads).run for b in ("ov-int8", "ov-bf16")]
    x = np.random.default_rng(0).random((1, 1, 360 // scale, 480 // scale), dtype=np.float32)
    ratio = statistics.median(time_rounds(*runs, x, rounds))
    first = "bf16" if ratio >= BF16_FIRST_MARGIN else "INT8"
    print(
        f"  INT8 against the FP32 IR in bf16 ({x.shape[3]}x{x.shape[2]} LR): bf16 {ratio:.3f}x as fast; "
        f"--precision auto takes {first} here"
    )
    return {"bf16_vs_int8": round(ratio, 3), "fp32_sha256": fp32["xml_sha256"]}
