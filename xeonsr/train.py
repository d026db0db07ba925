"""train(cfg) -> TrainResult. A fixed schedule that resumes exactly, held-out validation.

Backends: ``native`` (PyTorch, channels-last) and ``ipex``. The schedule is fixed by the step
count when a run starts (``--max-minutes`` picks it once from a short timed probe);
``--stop-after-minutes``/``--stop-at-step`` checkpoint and exit without touching it, and
``--resume`` continues bit for bit: weights, Adam, the moving average, every rank's batch
generator. Under ``torchrun`` each rank samples its own shard of the images, DDP averages
gradients, ranks agree on stopping through a collective, and rank 0 alone validates and
writes. Validation runs the released form of the weights (fp32, plain PyTorch layers) on
held-out images; the run releases its last step, never a step chosen by a score.
"""

from __future__ import annotations

import contextlib
import copy
import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from xeonsr import distributed as ddp
from xeonsr.checkpoint import latest_checkpoint, run_in, save_checkpoint
from xeonsr.data import DEFAULT_VAL_SET, training_sets
from xeonsr.held_out import check_held_out, named_test_set
from xeonsr.protocol import check_scale
from xeonsr.train_model import (
    TrainError,
    build_model,
    check_network,
    ema_update,
    ipex_optimize,
    loss_margin_hr,
    make_loss,
    released_model,
    restore,
)
from xeonsr.train_run import RunLog, StopOnSignal, check_numbers, lr_at, portable_config, probe_steps, release_weights


@dataclass(frozen=True)
class TrainConfig:
    model: str = "fsrcnn"
    scale: int = 3
    out: str = "runs/fsrcnn_x3"
    data_dir: str | None = None  # folder holding T91/, BSD200/ (or $XEONSR_DATA)
    datasets: tuple[str, ...] = ("T91",)  # training sets; test sets are never allowed here
    device: str = "cpu"
    steps: int | None = None  # the schedule's length (None: 20000, or the checkpoint's on --resume)
    batch_size: int = 64
    lq_patch: int = 16  # LR patch side; SRCNN sees it bicubic-upscaled
    lr: float = 1e-3
    min_lr: float = 1e-5  # cosine schedule floor
    loss: str = "l1"  # l1 or mse
    # LR pixels at each patch edge left out of the loss ("auto": the model's receptive radius).
    # Those outputs see the convolutions' zero padding, which interior pixels of a real image
    # never do; the papers' Caffe training used unpadded convolutions for the same reason.
    loss_margin: int | str = 0
    threads: int | None = None
    precision: str = "auto"  # auto, fp32, bf16
    # Last fraction of the steps run in fp32 after bf16 (None: the auto policy's, else 0).
    fp32_tail: float | None = None
    backend: str = "auto"  # auto, native, ipex
    channels_last: bool = True  # 1.3x faster FSRCNN steps on CPU (perf-notes)
    # torch.compile the training step's model: 1.28x FSRCNN-s, 1.04x FSRCNN, slower for SRCNN
    # and DCSCN on a Zen 4 core (docs/training.md), so off unless asked.
    compile: bool = False
    checkpoint_every: int = 1000
    val_every: int = 1000
    # Held out of training and never reported; test sets are refused here.
    val_set: str = DEFAULT_VAL_SET
    resume: bool = False
    seed: int = 0
    model_args: dict[str, Any] = field(default_factory=dict)
    init_from: str | None = None  # weights to start from (e.g. the x3 model for x2/x4)
    train_only: str | None = None  # parameter-name prefix to train, the rest frozen
    cache_dir: str | None = None
    max_minutes: float | None = None  # pick --steps so a fresh run fits this wall time
    stop_after_minutes: float | None = None  # checkpoint and exit after this long (resumable)
    stop_at_step: int | None = None  # checkpoint and exit at this step (resumable)
    # Decay of an exponential moving average of the weights (0: off). Validation and the
    # released weights then use the average, which smooths out the last steps' noise.
    ema: float = 0.0


@dataclass
class TrainResult:
    finished: bool  # False: stopped early by --stop-*; resume with --resume
    step: int
    steps: int
    checkpoint: Path | None
    weights: Path | None  # the released weights (finished runs only)
    val: tuple[str, float] | None = None  # (validation set, PSNR) at the last validation


def check_config(cfg: TrainConfig) -> None:
    """Refuse what cannot be right before anything is loaded or written."""
    check_scale(cfg.scale)
    if problem := named_test_set(cfg.datasets, [cfg.val_set]):
        raise TrainError(problem)
    check_numbers(cfg)
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise TrainError("--device cuda: no CUDA device is available; use --device cpu")
    check_network(cfg)
    # By pixels too (every rank alike, so none waits on one that stopped): a copy of a test set
    # under another name, or validation images that are also training images.
    learn = training_sets(cfg.datasets, cfg.data_dir)
    from xeonsr.evaluate import resolve_dataset  # a set, a folder, or 'samples' (scikit-image's photos)

    check_held_out(learn, dict([resolve_dataset(cfg.val_set, cfg.data_dir)]), cfg.data_dir)


def train(cfg: TrainConfig, progress: bool = True) -> TrainResult:
    """Train ``cfg.model``; a finished run writes ``<out>/<model>_x<scale>.safetensors``."""
    from xeonsr.data import PatchConfig, cached_pairs
    from xeonsr.evaluate import bicubic_fn, evaluate, load_samples, resolve_dataset
    from xeonsr.info import AUTO_FP32_TAIL, cpu_info, resolve_backend, resolve_precision
    from xeonsr.models import model_kwargs
    from xeonsr.patches import PatchBank
    from xeonsr.threads import apply_threads, plan_threads

    check_config(cfg)
    rank, world = ddp.dist_env()
    if world > 1:
        ddp.init_distributed(cfg.device)
    plan = plan_threads(cfg.threads)
    apply_threads(plan)  # not pinned: two training jobs side by side must not share a core
    device = torch.device(cfg.device)
    cpu = cpu_info()
    precision, prec_note = resolve_precision(cfg.precision, cpu, device.type)
    tail = cfg.fp32_tail if cfg.fp32_tail is not None else (AUTO_FP32_TAIL if cfg.precision == "auto" else 0.0)
    tail = tail if precision == "bf16" else 0.0
    backend, backend_note = ("native", "CUDA") if device.type == "cuda" else resolve_backend(cfg.backend)
    if backend == "ipex" and (cfg.ema or tail):
        raise TrainError("--ema and an fp32 tail need --backend native (ipex.optimize repacks the weights)")
    out = Path(cfg.out)
    if not cfg.resume and (held := run_in(out)):  # a fresh run would write over it
        raise TrainError(f"{out} holds a run ({held.name}): --resume continues it, another --out starts anew")
    found = latest_checkpoint(out / "checkpoints") if cfg.resume else None
    model_args = model_kwargs(cfg.model, cfg.scale, cfg.model_args)
    saved = json.loads(found[1]["config"]) if found else None
    if saved and (saved["model"], saved["scale"], saved["model_args"]) != (cfg.model, cfg.scale, model_args):
        raise TrainError(
            f"--resume: {found[0]} is {saved['model']} x{saved['scale']} {saved['model_args']}, "
            f"not {cfg.model} x{cfg.scale} {model_args}; use another --out"
        )

    torch.manual_seed(cfg.seed)
    model = build_model(cfg, device, init=not found)
    margin = loss_margin_hr(cfg, model)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    # The average lives beside the model in plain PyTorch layers (it is never trained).
    avg = copy.deepcopy(model).eval().requires_grad_(False) if cfg.ema else None

    patch_cfg = PatchConfig(scale=cfg.scale, datasets=tuple(cfg.datasets), lq_patch=cfg.lq_patch)
    pairs = cached_pairs(patch_cfg, cfg.data_dir, cfg.cache_dir)
    gen = torch.Generator(device=device)
    gen.manual_seed(cfg.seed * 65536 + rank)
    bank = PatchBank(pairs, cfg.scale, cfg.lq_patch, device, gen, shard=rank, num_shards=world)
    autocast = lambda on: (  # noqa: E731
        torch.autocast(device_type=device.type, dtype=torch.bfloat16) if on else contextlib.nullcontext()
    )
    loss_fn = make_loss(cfg.loss, margin)

    start_step, train_seconds = 0, 0.0
    if found:
        start_step, train_seconds = restore(found, model, avg, optimizer, gen, rank, world)
    elif cfg.resume and rank == 0:
        print(f"resume: no checkpoint in {out / 'checkpoints'}; starting afresh")

    steps = cfg.steps or (saved["steps"] if saved else None)
    if saved and cfg.steps and cfg.steps != saved["steps"] and rank == 0:
        print(f"schedule changed on resume: {saved['steps']} -> {cfg.steps} steps (not an exact continuation)")
    if steps is None and cfg.max_minutes and not found:
        steps = ddp.from_rank0(
            probe_steps(model, optimizer, bank, loss_fn, autocast, precision == "bf16", cfg, rank == 0)
        )
    steps = steps or 20000
    bf16_until = round(steps * (1.0 - tail)) if precision == "bf16" else 0
    if start_step >= steps and rank == 0:
        print(f"resume: the run already reached step {start_step} of {steps}")

    if backend == "ipex":
        model, optimizer, precision = ipex_optimize(model, optimizer, precision)
        if precision == "fp32":
            bf16_until, tail = 0, 0.0
    train_model: nn.Module = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    if cfg.compile:
        if backend == "ipex":
            raise TrainError("--compile works with --backend native (IPEX has its own graph optimisations)")
        train_model = torch.compile(train_model)

    resolved = {
        **portable_config(asdict(replace(cfg, resume=False))),
        "steps": steps,
        "precision": precision,
        "fp32_tail": tail,
        "backend": backend,
        "world_size": world,
        "model_args": model_args,
        "threads": plan.used,
    }
    val_label, val_files = resolve_dataset(cfg.val_set, cfg.data_dir) if rank == 0 else ("", [])
    val_samples = load_samples(val_files, cfg.scale) if rank == 0 else []
    bicubic_psnr = None
    if rank == 0:
        bicubic_psnr = evaluate(bicubic_fn(cfg.scale), val_samples, cfg.scale, with_ssim=False)["mean_psnr"]
    log = RunLog(out, rank == 0, steps, start_step, progress, f"{cfg.model} x{cfg.scale}", val_label, bicubic_psnr)
    log.train_seconds = train_seconds
    log.say(
        f"xeonsr train: {cfg.model} x{cfg.scale} on {cfg.device} ({cpu.model}); backend {backend_note}; "
        f"precision {prec_note}"
        + (f", fp32 from step {bf16_until}" if 0 < bf16_until < steps else "")
        + f"; {bank.num_images} training images (with down-scaled copies); {plan.describe(pinned=False)}; "
        f"validation on {val_label} ({len(val_samples)} images)"
    )

    def validate() -> float:
        from xeonsr.runtime import plane_fn, torch_run

        net = released_model(model, avg, model_args, cfg.model)
        fn = plane_fn(torch_run(net, channels_last=False))
        return evaluate(fn, val_samples, cfg.scale, with_ssim=False)["mean_psnr"]

    def checkpoint(step: int) -> Path | None:
        gens = ddp.gather_states(gen.get_state())
        if rank != 0:
            return None
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "rng": {"torch": torch.get_rng_state(), "generators": gens},
            "config": json.dumps(resolved),
            "train_seconds": train_seconds + time.perf_counter() - t_start,
        }
        if avg is not None:
            state["ema"] = avg.state_dict()
        path = save_checkpoint(out / "checkpoints", step, state)
        log.checkpointed(step, state["train_seconds"])
        return path

    stop_signal = StopOnSignal()  # SIGTERM/SIGINT: checkpoint at the next step and exit
    t_start = time.perf_counter()
    deadline = t_start + cfg.stop_after_minutes * 60 if cfg.stop_after_minutes else None
    train_model.train()
    step, ckpt, stopped = start_step, None, False
    while step < steps:
        for g in optimizer.param_groups:
            g["lr"] = lr_at(step, steps, cfg.lr, cfg.min_lr)
        lq, gt = bank.sample(cfg.batch_size)
        if cfg.channels_last:
            lq = lq.contiguous(memory_format=torch.channels_last)
        with autocast(step < bf16_until):
            sr = train_model(lq)
        loss = loss_fn(sr.float(), gt)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        if avg is not None:
            ema_update(avg, model, cfg.ema, step)
        log.step(float(loss.detach()), cfg.batch_size * world)
        val_now = rank == 0 and (step % cfg.val_every == 0 or step == steps)
        if rank == 0 and (step % 100 == 0 or val_now):
            log.record(step, lr_at(step - 1, steps, cfg.lr, cfg.min_lr), validate() if val_now else None)
        # Checked every 10 steps by all ranks together (one rank's clock never decides).
        asked = step % (10 if world > 1 else 1) == 0 and ddp.any_rank(
            stop_signal.is_set() or (deadline is not None and time.perf_counter() > deadline)
        )
        stopped = step < steps and (asked or step == cfg.stop_at_step)
        if step % cfg.checkpoint_every == 0 or step == steps or stopped:
            ckpt = checkpoint(step)
        if stopped:
            break
    log.close()
    stop_signal.restore()
    if world > 1:
        log.replica_diff = ddp.replica_max_diff(model)  # DDP keeps replicas in step; check it
    val = (val_label, log.last_val) if log.last_val is not None else None
    result = TrainResult(not stopped and step >= steps, step, steps, ckpt, None, val)
    if stopped:
        log.say(
            f"stopped at step {step} of {steps}: checkpoint {ckpt}; `xeonsr train --resume --out {cfg.out}` "
            "continues it (with the run's own settings)"
        )
    elif rank == 0:
        result.weights = release_weights(cfg, out, model, avg, model_args, resolved, val_label, val_files, log, step)
    if world > 1:
        ddp.shutdown()
    return result
