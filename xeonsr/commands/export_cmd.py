"""xeonsr export: PyTorch weights -> OpenVINO IR (dynamic N, H, W) + manifest entry."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--model", default=None, help="registry model (default: every shipped model)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: every shipped scale)")
    p.add_argument("--weights", default=None, help="weights file (default: the shipped ones)")
    p.add_argument("--fp16", action="store_true", help="store FP16 weights (a separate *_fp16 IR)")
    p.add_argument("--out-dir", default=None, help="IR folder (default openvino_models/)")
    p.add_argument("--data-dir", default=None, help="datasets, to record Set5/Set14 PSNR (default $XEONSR_DATA)")
    p.add_argument("--ovms", metavar="DIR", help="also lay out the IRs as an OpenVINO Model Server repository")


def run(args) -> int:
    from pathlib import Path

    from xeonsr.export import DEFAULT_IR_DIR, export, ovms_layout
    from xeonsr.zoo import shipped_cards

    ir_dir = Path(args.out_dir) if args.out_dir else DEFAULT_IR_DIR
    if args.model and args.scale:
        jobs = [(args.model, args.scale)]
    else:
        jobs = [
            (c["model"], c["scale"])
            for c in shipped_cards()
            if (args.model in (None, c["model"])) and (args.scale in (None, c["scale"]))
        ]
    for model, scale in jobs:
        e = export(model, scale, args.weights, ir_dir, fp16=args.fp16, data_dir=args.data_dir)
        psnr = ", ".join(f"{k} {v:.2f} dB" for k, v in e["psnr"].items()) or "no datasets to measure"
        print(f"{ir_dir / e['xml']}: {psnr}")
    if args.ovms:
        print(f"OVMS repository: {ovms_layout(Path(args.ovms), ir_dir)}")
    return 0
