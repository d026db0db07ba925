"""xeonsr quantize: FP32 IR -> INT8 IR within a PSNR budget on held-out images (NNCF accuracy control)."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--model", required=True)
    p.add_argument("--scale", type=int, required=True)
    p.add_argument(
        "--max-drop",
        type=float,
        default=None,
        help="mean PSNR (dB) INT8 may lose on the held-out images (default 0.1)",
    )
    p.add_argument("--calib", default=None, help="a folder of images to calibrate on (default: T91 crops)")
    p.add_argument("--val", default=None, help="a folder of images the budget holds on (default: BSD200-val, held out)")
    p.add_argument("--data-dir", default=None, help="folder of T91/, BSD200/, Set5/, Set14/ (default $XEONSR_DATA)")
    p.add_argument(
        "--ir-dir",
        "--out-dir",
        dest="ir_dir",
        default=None,
        help="IR store holding the FP32 IR; the INT8 IR is written beside it (default: the shipped store)",
    )


def run(args) -> int:
    from xeonsr.errors import UserError
    from xeonsr.irs import store_dir
    from xeonsr.protocol import check_scale
    from xeonsr.quantization import quantize

    check_scale(args.scale)
    if args.max_drop is not None and not args.max_drop >= 0:  # also refuses nan
        raise UserError(f"--max-drop is the PSNR INT8 may lose: 0 dB or more, not {args.max_drop}")
    overrides = {"max_drop_db": args.max_drop} if args.max_drop is not None else None
    rep = quantize(
        args.model, args.scale, args.data_dir, store_dir(args.ir_dir), overrides, calib_dir=args.calib, val_dir=args.val
    )
    for ds, r in rep["psnr"].items():
        print(f"{ds}: FP32 {r['fp32']:.3f} dB, INT8 {r['int8']:.3f} dB, drop {r['drop_db']:.3f} dB")
    print(f"layers kept in floating point: {len(rep['layers_kept_in_fp'])}; took {rep['seconds']} s")
    return 0
