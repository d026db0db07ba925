"""xeonsr eval: a model (or bicubic) on a test set, by the protocol, beside the paper."""

from __future__ import annotations

import sys

from xeonsr.commands import count


def add_arguments(p) -> None:
    p.add_argument(
        "--model", default=None, help="bicubic or a registry model (default: your --weights' model, else bicubic)"
    )
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: your --weights' scale, else 3)")
    p.add_argument(
        "--dataset",
        default=None,
        help="folder name under --data-dir (Set5, Set14, ...), a path to a folder of "
        "images, or 'samples' (photos shipped by scikit-image); several comma-separated "
        "(Set5,Set14: one table each, --json under 'sets'). Default: Set5 "
        "when a data dir is set, else 'samples'",
    )
    p.add_argument("--data-dir", default=None, help="folder holding the datasets (default $XEONSR_DATA)")
    p.add_argument("--weights", default=None, help="your weights for --backend torch (default: the shipped ones)")
    p.add_argument("--ir-dir", default=None, help="IR store for --backend openvino (default: the shipped IRs)")
    p.add_argument(
        "--backend",
        choices=["torch", "openvino"],
        default=None,
        help="torch: the PyTorch weights; openvino: the model's IR of --precision. Default: torch, but openvino "
        "for --precision int8, with --ir-dir, or where torch is not installed (and not with --weights)",
    )
    p.add_argument(
        "--precision",
        choices=["fp32", "int8", "bf16"],
        default="fp32",
        help="fp32; int8 (an OpenVINO IR); bf16 (PyTorch autocast, or OpenVINO's bf16 precision on the FP32 IR)",
    )
    p.add_argument("--threads", type=count(1), default=None, help="inference threads (default: one per physical core)")
    p.add_argument("--no-ssim", action="store_true", help="skip SSIM (faster)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")


def upscale_fn_for(args, scale: int):
    """-> (fn on an LR Y plane, description dict) for the requested model/backend."""
    from xeonsr.evaluate import bicubic_fn
    from xeonsr.runtime import load_runner
    from xeonsr.threads import apply_threads, plan_threads

    if args.model == "bicubic":
        return bicubic_fn(scale), {"backend": "numpy"}
    if args.backend is None:
        from xeonsr.installed import installed

        ir = args.precision == "int8" or args.ir_dir or not installed("torch")
        args.backend = "openvino" if ir and not args.weights else "torch"
    plan = plan_threads(args.threads)
    apply_threads(plan)
    backend = f"ov-{args.precision}" if args.backend == "openvino" else f"torch-{args.precision}"
    from xeonsr.infer import refuse_mixed_sources

    refuse_mixed_sources(args.backend, args.precision, args.weights, args.ir_dir)
    runner = load_runner(args.model, scale, backend, weights=args.weights, ir_dir=args.ir_dir, threads=plan.used)
    print(plan.describe(pinned=False))  # after the load: a wrong model name is the first line
    return runner.plane_fn(), {
        "backend": backend,
        "runs": runner.note,
        "source": runner.source,
        "threads": plan.used,
    }


def run(args) -> int:
    from xeonsr.errors import UserError
    from xeonsr.evaluate import PROTOCOL, dataset_names, evaluate, load_samples, report, resolve_dataset
    from xeonsr.infer import model_and_scale, refuse_mixed_sources
    from xeonsr.installed import installed, versions

    # First: `--ir-dir D --backend torch` took no model from D and evaluated bicubic unsaid.
    refuse_mixed_sources(args.backend, args.precision, args.weights, args.ir_dir)
    args.model, scale = model_and_scale(
        args.model, args.scale, args.weights, lambda s: "bicubic", args.ir_dir, args.backend
    )
    if args.model == "bicubic" and (args.weights or args.ir_dir):
        given = "--weights" if args.weights else "--ir-dir"
        raise UserError(f"bicubic runs no network: {given} needs --model, the network it holds")
    sets = []  # every set read (and checked) before the model loads
    for name in dataset_names(args.dataset):
        label, files = resolve_dataset(name, args.data_dir)
        sets.append((label, load_samples(files, scale)))
    if not args.no_ssim and not installed("skimage"):
        print("xeonsr eval: SSIM needs scikit-image (pip install scikit-image): PSNR only", file=sys.stderr)
        args.no_ssim = True
    fn, meta = upscale_fn_for(args, scale)
    if meta.get("runs"):  # which weights or IR, on what (an emulated bf16 says so)
        source = meta.get("source", "")
        print(f"runs: {meta['runs']}; from {'the shipped weights' if source == 'shipped' else source}")
    results = {}
    for label, samples in sets:
        results[label] = result = evaluate(fn, samples, scale, with_ssim=not args.no_ssim, warm=True)
        print(f"{args.model} x{scale} on {label} ({len(samples)} images, Y channel, shave {scale})")
        print(report(result, label))
    if args.json:
        from xeonsr.fileio import write_json

        one = {"dataset": sets[0][0], **results[sets[0][0]]} if len(sets) == 1 else {"sets": results}
        write_json(args.json, {"model": args.model, **meta, **one, "protocol": PROTOCOL, "versions": versions()})
    return 0
