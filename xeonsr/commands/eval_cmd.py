"""xeonsr eval: a model (or bicubic) on a test set, by the protocol, beside the paper."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--model", default="bicubic", help="bicubic or a registry model (default: bicubic)")
    p.add_argument("--scale", type=int, default=3, help="2, 3 or 4 (default 3)")
    p.add_argument(
        "--dataset",
        default=None,
        help="folder name under --data-dir (Set5, Set14, ...), a path to a folder of "
        "images, or 'samples' (photos shipped by scikit-image). Default: Set5 "
        "when a data dir is set, else 'samples'",
    )
    p.add_argument("--data-dir", default=None, help="folder holding the datasets (default $XEONSR_DATA)")
    p.add_argument("--weights", default=None, help="weights file (default: the shipped ones)")
    p.add_argument("--backend", choices=["torch", "openvino"], default="torch")
    p.add_argument(
        "--precision", choices=["fp32", "int8"], default="fp32", help="OpenVINO IR precision (openvino backend)"
    )
    p.add_argument("--threads", type=int, default=None, help="inference threads (default: one per physical core)")
    p.add_argument("--no-ssim", action="store_true", help="skip SSIM (faster)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")


def upscale_fn_for(args, scale: int):
    """-> (fn, description dict) for the requested model/backend."""
    from xeonsr.evaluate import bicubic_fn
    from xeonsr.threads import apply_threads, plan_threads

    if args.model == "bicubic":
        return bicubic_fn(scale), {"backend": "numpy"}
    plan = plan_threads(args.threads)
    apply_threads(plan)
    print(plan.describe(pinned=False))
    if args.backend == "openvino":
        from xeonsr.ov import openvino_upscale_fn

        fn, meta = openvino_upscale_fn(args.model, scale, args.precision, threads=plan.used)
        return fn, {"backend": "openvino", **meta}
    from xeonsr.infer import load_torch_model, torch_upscale_fn

    model, card = load_torch_model(args.model, scale, args.weights)
    return torch_upscale_fn(model), {
        "backend": "torch",
        "precision": "fp32",
        "weights": str(args.weights or "shipped"),
        "model_args": card.get("model_args"),
    }


def run(args) -> int:
    from xeonsr.evaluate import PROTOCOL, evaluate, load_samples, report, resolve_dataset, versions
    from xeonsr.protocol import check_scale

    scale = check_scale(args.scale)
    label, files = resolve_dataset(args.dataset, args.data_dir)
    samples = load_samples(files, scale)
    fn, meta = upscale_fn_for(args, scale)
    result = evaluate(fn, samples, scale, with_ssim=not args.no_ssim)
    print(f"{args.model} x{scale} on {label} ({len(samples)} images, Y channel, shave {scale})")
    print(report(result, label))
    if args.json:
        from xeonsr.cli import write_json

        write_json(
            args.json,
            {"model": args.model, "dataset": label, **meta, **result, "protocol": PROTOCOL, "versions": versions()},
        )
    return 0
