"""xeonsr export: PyTorch weights -> OpenVINO IR (dynamic N, H, W) + manifest entry."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--model", default=None, help="registry model (default: every shipped model)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: every shipped scale)")
    p.add_argument(
        "--weights",
        default=None,
        help="your weights (.safetensors or training checkpoint); default: the shipped ones",
    )
    p.add_argument("--fp16", action="store_true", help="store FP16 weights (a separate *_fp16 IR)")
    p.add_argument(
        "--ir-dir",
        "--out-dir",
        dest="ir_dir",
        default=None,
        help="IR store to write (default: the shipped store for the shipped weights in a checkout, "
        "else $XEONSR_IR_DIR or ~/.local/share/xeonsr/openvino_models); never the shipped one for your weights",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the store's IR of the model and scale exported from other weights of yours (and its INT8 IRs), "
        "and with --ovms a repository's model of the same name",
    )
    p.add_argument("--data-dir", default=None, help="datasets, to record Set5/Set14 PSNR (default $XEONSR_DATA)")
    p.add_argument("--ovms", metavar="DIR", help="lay out the IRs of the store as an OpenVINO Model Server repository")


def run(args) -> int:
    from pathlib import Path

    from xeonsr.export import export, export_dir, ovms_layout
    from xeonsr.irs import store_dir
    from xeonsr.zoo import shipped_cards

    if args.ovms and not (args.model or args.scale or args.weights):
        # Lay out what the store holds (the shipped one unless --ir-dir); nothing is re-exported.
        print(f"OVMS repository: {ovms_layout(Path(args.ovms), store_dir(args.ir_dir), args.overwrite)}")
        return 0
    if args.model:  # a misspelt name is one line, not an export of nothing
        from xeonsr.models import get_spec

        get_spec(args.model)
    if args.scale:
        from xeonsr.protocol import check_scale

        check_scale(args.scale)
    ir_dir = export_dir(args.weights, args.ir_dir)
    if args.weights:  # what --model / --scale leave out comes from the weights' card
        from xeonsr.infer import model_and_scale

        args.model, args.scale = model_and_scale(args.model, args.scale, args.weights, lambda s: None)
    if args.model and args.scale:
        jobs = [(args.model, args.scale)]
    else:
        jobs = [
            (c["model"], c["scale"])
            for c in shipped_cards()
            if (args.model in (None, c["model"])) and (args.scale in (None, c["scale"]))
        ]
    if not jobs:
        from xeonsr.errors import UserError

        what = f"--model {args.model or 'any'} --scale {args.scale or 'any'}"
        raise UserError(f"no shipped weights match {what}; pass yours with --weights")
    for model, scale in jobs:
        e = export(model, scale, args.weights, ir_dir, fp16=args.fp16, data_dir=args.data_dir, overwrite=args.overwrite)
        psnr = ", ".join(f"{k} {v:.2f} dB" for k, v in e["psnr"].items()) or "no datasets to measure"
        print(f"{ir_dir / e['xml']}: {psnr}")
    if args.ovms:
        print(f"OVMS repository: {ovms_layout(Path(args.ovms), ir_dir, args.overwrite)}")
    return 0
