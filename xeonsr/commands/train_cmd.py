"""xeonsr train"""

from __future__ import annotations

import json

from xeonsr.commands import count, given_options, positive


def add_arguments(p) -> None:
    p.add_argument("--model", default="fsrcnn", help="registry model (`xeonsr zoo` lists them; default fsrcnn)")
    p.add_argument("--scale", type=int, default=3, help="2, 3 or 4 (default 3)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="default cpu")
    p.add_argument("--data-dir", default=None, help="folder holding T91/ and BSD200/ (default $XEONSR_DATA)")
    p.add_argument("--datasets", default="T91", help="comma-separated training sets (default T91)")
    p.add_argument("--out", default=None, help="run folder (default runs/<model>_x<scale>)")
    p.add_argument(
        "--steps", type=count(1), default=None, help="the schedule's length (default 20000; on --resume the run's own)"
    )
    p.add_argument("--batch-size", type=count(1), default=64, help="patches per step (default 64)")
    p.add_argument("--patch", type=count(1), default=16, help="LR patch side (HR is scale times larger)")
    p.add_argument("--lr", type=positive, default=1e-3, help="start of the cosine schedule (default 1e-3)")
    p.add_argument("--min-lr", type=float, default=1e-5, help="end of the cosine schedule")
    p.add_argument("--loss", choices=["l1", "mse"], default="l1", help="default l1")
    p.add_argument(
        "--loss-margin",
        default="0",
        help="LR pixels at each patch edge left out of the loss ('auto': the model's receptive radius). "
        "Keep it <= 1: the protocol grades all but the outermost LR pixel, and outputs left out "
        "of the loss near a border drift (docs/training.md)",
    )
    p.add_argument("--threads", type=count(1), default=None, help="training threads (default: one per physical core)")
    p.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        default="auto",
        help="auto (default): bf16 where the CPU computes it natively (AVX512-BF16, AMX), its last steps "
        "in fp32; else fp32. bf16 on a CPU without it runs emulated (slow; said so)",
    )
    p.add_argument(
        "--fp32-tail",
        type=float,
        default=None,
        help="last fraction of the steps run in fp32 after bf16 (default: auto's policy, else 0)",
    )
    p.add_argument(
        "--backend",
        choices=["auto", "native", "ipex"],
        default="auto",
        help="auto (default): native PyTorch, which trained every model at least as fast as IPEX; "
        "ipex: intel-extension-for-pytorch (torch 2.8 only)",
    )
    p.add_argument(
        "--compile", action="store_true", help="torch.compile the model (pays for FSRCNN-s/FSRCNN; docs/training.md)"
    )
    p.add_argument(
        "--checkpoint-every", type=count(1), default=1000, help="steps (default 1000; a stop checkpoints too)"
    )
    p.add_argument("--val-every", type=count(1), default=1000, help="steps between validations (default 1000)")
    p.add_argument(
        "--val-set",
        default=None,
        help="held-out validation images: BSD200-val (default), a folder, or samples (scikit-image's photos); "
        "never a test set",
    )
    p.add_argument("--resume", action="store_true", help="continue exactly from the newest checkpoint in --out")
    p.add_argument("--seed", type=int, default=0, help="initialisation and patch order (default 0)")
    p.add_argument("--model-args", default=None, help="JSON overrides, e.g. '{\"d\": 64}'")
    p.add_argument(
        "--init-from",
        default=None,
        help="weights (or a checkpoint) of the same network to start from: tensors that fit are "
        "copied (the x3 model into x2/x4), smaller kernels widened exactly (SRCNN 9-1-5 -> 9-5-5)",
    )
    p.add_argument("--train-only", default=None, help="train only parameters with this prefix")
    p.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="pick --steps (once, when the run starts) so that it fits this wall time",
    )
    p.add_argument(
        "--stop-after-minutes", type=positive, default=None, help="checkpoint and exit after this long (resumable)"
    )
    p.add_argument("--stop-at-step", type=count(0), default=None, help="checkpoint and exit at this step (resumable)")
    p.add_argument("--ema", type=float, default=0.0, help="weight moving-average decay, e.g. 0.999 (default 0: off)")
    p.add_argument("--cache-dir", default=None, help="patch cache (default $XEONSR_CACHE or ~/.cache/xeonsr)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


# What a run is: the options a --resume takes from the checkpoint's config where not typed
# (its key is the option's dest but for CONFIG_KEY).
RUN_SETTINGS = (
    "model", "scale", "datasets", "batch_size", "patch", "lr", "min_lr", "loss", "loss_margin",
    "precision",  # an fp32 run stays fp32; a bf16 one is auto's (fp32 where no native bf16)
    "fp32_tail", "compile", "checkpoint_every", "val_every", "val_set", "seed", "model_args", "train_only", "ema",
)  # fmt: skip
CONFIG_KEY = {"patch": "lq_patch"}


def resume_settings(args) -> tuple[list[str], list[str]]:
    """`--resume --out DIR` alone continues the run in DIR as it was started: each setting not
    typed now is the run's own (it took the defaults: another model was refused, another batch
    size or learning rate ran unsaid). Returns the settings taken, and those typed that change
    the run (yours, but said: a learning rate or data set pasted from another command)."""
    from pathlib import Path

    from xeonsr.checkpoint import latest_checkpoint
    from xeonsr.data import DEFAULT_VAL_SET
    from xeonsr.info import AUTO_FP32_TAIL
    from xeonsr.models import model_kwargs

    found = latest_checkpoint(Path(args.out or f"runs/{args.model}_x{args.scale}") / "checkpoints")
    if not found:
        return [], []
    saved, typed, taken, changed = json.loads(found[1]["config"]), given_options(args, add_arguments), [], []
    untyped = {"val_set": DEFAULT_VAL_SET, "precision": "auto", "fp32_tail": None}  # what None or auto means
    if saved.get("precision") == "bf16":
        saved["precision"] = "auto"
        if saved.get("fp32_tail") == AUTO_FP32_TAIL:
            saved["fp32_tail"] = None  # auto's own tail
    elif saved.get("precision") == "fp32":
        saved["fp32_tail"] = None  # no bf16 steps for a tail to end
    if "model_args" in saved:  # as typed: what differs from the model's own
        own = model_kwargs(saved["model"], saved["scale"], {})
        saved["model_args"] = {k: v for k, v in saved["model_args"].items() if own.get(k) != v} or None
    for option in RUN_SETTINGS:
        key = CONFIG_KEY.get(option, option)
        if key not in saved or (option in typed and option == "model_args"):  # another network is refused
            continue
        value = saved[key]
        if option == "datasets":
            value = ",".join(value)
        elif option == "model_args" and value is not None:
            value = json.dumps(value)
        elif option == "loss_margin":
            value = str(value)
        now = getattr(args, option)
        if option in typed:
            if value != now and not (isinstance(value, str) and value.startswith(".../")):
                changed.append(f"--{option.replace('_', '-')} {now} (the run's {value})")
            continue
        if isinstance(value, str) and value.startswith(".../"):  # a path the card keeps only the end of
            if value != untyped.get(option, now):
                taken.append(f"not --{option.replace('_', '-')} {value} (a path outside this folder: type it)")
            continue
        if value != untyped.get(option, now) and value != now:
            setattr(args, option, value)
            taken.append(f"--{option.replace('_', '-')} {value}")
    return taken, changed


def run(args) -> int:
    from xeonsr.data import DEFAULT_VAL_SET
    from xeonsr.errors import UserError
    from xeonsr.train import TrainConfig, train

    if args.resume:
        taken, changed = resume_settings(args)
        if taken:
            print(f"resume: the run's own settings, not typed here: {'; '.join(taken)}")
        if changed:
            print(f"resume: typed here, so from now on the run's settings change: {'; '.join(changed)}")
    try:
        model_args = json.loads(args.model_args) if args.model_args else {}
    except json.JSONDecodeError as e:
        raise UserError(f"--model-args is not valid JSON: {e}") from None
    cfg = TrainConfig(
        model=args.model,
        scale=args.scale,
        device=args.device,
        data_dir=args.data_dir,
        datasets=tuple(d.strip() for d in args.datasets.split(",") if d.strip()),
        out=args.out or f"runs/{args.model}_x{args.scale}",
        steps=args.steps,
        batch_size=args.batch_size,
        lq_patch=args.patch,
        lr=args.lr,
        min_lr=args.min_lr,
        # A whole number stays a number in the card; anything else is checked by train().
        loss_margin=int(args.loss_margin) if args.loss_margin.isdigit() else args.loss_margin,
        loss=args.loss,
        threads=args.threads,
        precision=args.precision,
        fp32_tail=args.fp32_tail,
        val_set=args.val_set or DEFAULT_VAL_SET,
        backend=args.backend,
        compile=args.compile,
        checkpoint_every=args.checkpoint_every,
        val_every=args.val_every,
        resume=args.resume,
        seed=args.seed,
        model_args=model_args,
        init_from=args.init_from,
        train_only=args.train_only,
        max_minutes=args.max_minutes,
        stop_after_minutes=args.stop_after_minutes,
        stop_at_step=args.stop_at_step,
        ema=args.ema,
        cache_dir=args.cache_dir,
    )
    res = train(cfg, progress=not args.no_progress)
    if res.weights is not None:
        val = f" ({res.val[0]} {res.val[1]:.3f} dB at step {res.step}, Y channel)" if res.val else ""
        print(f"weights: {res.weights}{val}")
    return 0
