"""xeonsr quantize: FP32 IR -> INT8 IR within a PSNR budget on held-out images (NNCF: post-training
quantization with the float layers searched for the budget, or quantization-aware training where
that can't keep half the work INT8)."""

from __future__ import annotations

import sys

from xeonsr.commands import count
from xeonsr.irs import DOT_CLASSES, INT8_CLASSES


def add_arguments(p) -> None:
    p.add_argument("--model", default=None, help="registry model (default: the one the store, or --weights, holds)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: as --model)")
    p.add_argument(
        "--max-drop",
        type=float,
        default=None,
        help="PSNR (dB) INT8 may lose on held-out images: the mean over the 5 of each held-out set that "
        "lose most (default 0.05)",
    )
    p.add_argument(
        "--method",
        choices=("auto", "ptq", "qat"),
        default="auto",
        help="ptq: post-training, the float layers searched for the budget; qat: quantization-aware "
        "fine-tuning of the PyTorch weights; auto (default): ptq, and qat where ptq can't keep half the "
        "multiply-adds INT8 within the budget (qat first, then ptq, where the model's recipe has qat_first: "
        "FSRCNN on avx2)",
    )
    p.add_argument(
        "--weights",
        default=None,
        help="PyTorch weights QAT fine-tunes (default: those the FP32 IR was exported from)",
    )
    p.add_argument(
        "--isa",
        choices=INT8_CLASSES,
        default=None,
        help="CPU class the INT8 IR is made for (which layers stay float for speed; amx: signed "
        "activations, no zero points); default: this CPU's",
    )
    p.add_argument("--qat-steps", type=count(1), default=None, help="QAT fine-tuning steps (default: the recipe's)")
    p.add_argument("--threads", type=count(1), default=None, help="threads for QAT fine-tuning (default: all cores)")
    p.add_argument("--calib", default=None, help="a folder of images to calibrate on (default: T91 crops)")
    p.add_argument(
        "--val",
        default=None,
        help="a folder of images the budget holds on (default: BSD200-val and "
        "scikit-image's sample photos, both held out)",
    )
    p.add_argument("--data-dir", default=None, help="folder of T91/, BSD200/, Set5/, Set14/ (default $XEONSR_DATA)")
    p.add_argument(
        "--ir-dir",
        "--out-dir",
        dest="ir_dir",
        default=None,
        help="IR store holding the FP32 IR; the INT8 IR is written beside it (default: the shipped store; "
        "with --weights, the store `xeonsr export --weights` writes to)",
    )


def run(args) -> int:
    from xeonsr.errors import UserError
    from xeonsr.export import export_dir
    from xeonsr.irs import store_dir
    from xeonsr.protocol import check_scale
    from xeonsr.quantization import quantize

    # Your weights' IRs are in a store of their own: where `xeonsr export --weights W` put them
    # (the shipped store's IR of the same model was quantized instead, and written there).
    store = export_dir(args.weights, args.ir_dir) if args.weights else store_dir(args.ir_dir)
    if args.model is None or args.scale is None:
        args.model, args.scale = _model_in_store(args.model, args.scale, args.weights, store)
    check_scale(args.scale)
    if args.max_drop is not None and not args.max_drop >= 0:  # also refuses nan
        raise UserError(f"--max-drop is the PSNR INT8 may lose: 0 dB or more, not {args.max_drop}")
    overrides = {"max_drop_db": args.max_drop} if args.max_drop is not None else None
    if args.qat_steps is not None and args.qat_steps < 1:
        raise UserError(f"--qat-steps must be 1 or more, not {args.qat_steps}")
    qat = {"threads": args.threads, **({"steps": args.qat_steps} if args.qat_steps else {})}
    _arithmetic_note(args.isa)
    rep = quantize(
        args.model,
        args.scale,
        args.data_dir,
        store,
        overrides,
        calib_dir=args.calib,
        val_dir=args.val,
        method=args.method,
        weights=args.weights,
        qat_overrides=qat,
        target_isa=args.isa,
    )
    for ds, r in rep["psnr"].items():
        worst = next((f", the {k[5:-8]} that lose most {v:.3f}" for k, v in r.items() if k.startswith("worst")), "")
        budget = " (budget set)" if ds in rep["budget_sets"] else ""
        print(f"{ds}{budget}: FP32 {r['fp32']:.3f} dB, INT8 {r['int8']:.3f} dB, drop {r['drop_db']:.3f} dB{worst}")
    print(f"method: {rep['method']} ({rep['why_method']})")
    share, kept = f"{100 * rep['int8_mac_share']:.1f}".removesuffix(".0") + "%", len(rep["layers_kept_in_fp"])
    # The bicubic skip branch is float by design and does none of the network's multiply-adds.
    net_float = [n for n in rep["layers_kept_in_fp"] if not n.startswith("__module.upsample/")]
    skip = " (and the bicubic skip branch)" if len(net_float) < kept else ""
    layers = f"{len(net_float)} network layer{'s' * (len(net_float) != 1)} float"
    print(f"{share} of the multiply-adds in INT8, {layers}{skip}; took {rep['seconds']} s")
    return 0


def _arithmetic_note(isa: str | None) -> None:
    """The budget is checked with this process's INT8 kernels: say so where they sum products
    otherwise than the CPUs the IR is made for."""
    from xeonsr.info import cpu_info, onednn_cap

    cpu = cpu_info()
    if isa in DOT_CLASSES and not cpu.int8_dot:
        # Pre-VNNI kernels saturate the 8-bit weights a vnni recipe keeps (fsrcnn x2, session
        # 22: 0.080 dB lost here, over the 0.05 budget).
        held = f" (oneDNN held to {onednn_cap()})" if onednn_cap() else ""
        print(
            f"note: no VNNI in these INT8 kernels{held}: the budget of an IR made for {isa} is checked with "
            "int8 pairs summed in saturating int16, stricter than a VNNI CPU runs it; it may keep more layers "
            "float or miss the budget. Make it on a VNNI CPU where you can.",
            file=sys.stderr,
        )
    elif isa == "avx2" and cpu.int8_dot:
        # Held to AVX2, oneDNN sums as an AVX2 CPU does (session 82: fsrcnn x3's VNNI IR lost
        # exactly what it lost on an AMD Zen 3), so the check can be exact here too.
        print(
            "note: these INT8 kernels sum products without saturating (VNNI/AMX); an AVX2 CPU sums pairs in "
            "int16, the same only where no pair leaves it. For its exact sums run this under "
            "ONEDNN_MAX_CPU_ISA=AVX2.",
            file=sys.stderr,
        )


def _model_in_store(model, scale, weights, store) -> tuple[str, int]:
    """What --model/--scale leave out: from the card of --weights, else the one FP32 IR of the
    store that fits (`xeonsr export --weights W --ir-dir D`, then `xeonsr quantize --ir-dir D`)."""
    from xeonsr.errors import UserError
    from xeonsr.irs import held_models

    if weights:
        from xeonsr.infer import model_and_scale

        return model_and_scale(model, scale, weights, lambda s: None)
    found = held_models(store, model, scale, precisions=("fp32",))
    if len(found) == 1:
        return found[0]
    if not found:
        asked = " ".join(f"--{k} {v}" for k, v in (("model", model), ("scale", scale)) if v is not None)
        raise UserError(f"{store} holds no FP32 IR{' for ' + asked if asked else ''}: `xeonsr export` makes one")
    held = ", ".join(f"{m} x{s}" for m, s in found)
    raise UserError(f"{store} holds {held}: name one with --model and --scale")
