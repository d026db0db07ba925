"""xeonsr profile: per-layer time of an OpenVINO IR on this CPU (where the milliseconds go)."""

from __future__ import annotations

from xeonsr.commands import count


def add_arguments(p) -> None:
    p.add_argument("model", help="registry name (its shipped IR) or path to an .xml")
    p.add_argument("--scale", type=int, default=3, help="2, 3 or 4 (default 3)")
    p.add_argument(
        "--precision",
        default="int8",
        help="int8 (default; the IR made for this CPU's class), fp32, or bf16: the FP32 IR computed in bf16 "
        "as ov-bf16 runs it (CPUs with native bf16); for an .xml, bf16 or not",
    )
    p.add_argument("--size", default="160x140", help="LR input WIDTHxHEIGHT (default 160x140, a Set14-sized x3 LR)")
    p.add_argument("--threads", type=count(1), default=None, help="threads to use (capped at what the machine has)")
    p.add_argument("--warmup", type=count(0), default=5, help="untimed inferences first (default 5)")
    p.add_argument("--repeats", type=count(1), default=30, help="timed inferences (default 30)")
    p.add_argument("--top", type=count(1), default=None, help="print only the N slowest nodes")
    p.add_argument("--json", metavar="PATH", help="write the per-layer table as JSON")
    p.add_argument(
        "--peaks",
        action="store_true",
        help="also measure each kernel's practical peak and show each layer's share of its own kernel's",
    )
    p.add_argument(
        "--default-kernels",
        action="store_true",
        help="ignore the IR's measured kernel plan (xeonsr tune): OpenVINO's own choice per layer",
    )


def run(args) -> int:
    from xeonsr.errors import UserError
    from xeonsr.info import cpu_info
    from xeonsr.kernels import plan_for
    from xeonsr.profile import parse_size, profile_ir, resolve_ir, table, to_json
    from xeonsr.threads import apply_threads, plan_threads

    size = parse_size(args.size)
    xml, entry = resolve_ir(args.model, args.scale, args.precision)
    infer = "bf16" if args.precision == "bf16" else "f32"
    if infer == "bf16" and not cpu_info().native_bf16:
        raise UserError(f"bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX); {cpu_info().model} has neither")
    kernels = None if args.default_kernels else plan_for(entry, infer)
    plan = plan_threads(args.threads)
    apply_threads(plan, pin=True)
    print(plan.describe())
    res = profile_ir(
        xml, size, plan.used, args.warmup, args.repeats, kernels=kernels, peaks=args.peaks, inference_precision=infer
    )
    print(table(res, args.top))
    if args.json:
        from xeonsr.fileio import write_json

        write_json(args.json, {**to_json(res), "thread_plan": plan.describe()})
    return 0
