"""xeonsr profile: per-layer time of an OpenVINO IR on this CPU (where the milliseconds go)."""

from __future__ import annotations

from xeonsr.commands import count


def add_arguments(p) -> None:
    p.add_argument(
        "model",
        nargs="?",
        default=None,
        help="registry name (its IR in the store) or path to an .xml (default: the one model --ir-dir holds)",
    )
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default 3, or the one --ir-dir holds)")
    p.add_argument("--ir-dir", default=None, help="IR store to take the model's IR from (default: the shipped IRs)")
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
    if args.model is None and args.ir_dir is None:
        raise UserError("name the model to profile (e.g. fsrcnn), an IR's .xml, or --ir-dir STORE")
    if args.model and args.model.endswith(".xml"):
        if args.ir_dir:
            raise UserError(f"{args.model} is an IR of its own: --ir-dir names a store to take one from")
        xml, entry = resolve_ir(args.model, args.scale or 3, args.precision)
    else:
        from xeonsr.infer import model_and_scale

        model, scale = model_and_scale(args.model, args.scale, None, lambda s: "fsrcnn", args.ir_dir)
        xml, entry = resolve_ir(model, scale, args.precision, args.ir_dir)
    infer = "bf16" if args.precision == "bf16" else "f32"
    if infer == "bf16":
        from xeonsr.infer import refuse_emulated_bf16

        refuse_emulated_bf16(cpu_info())
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
