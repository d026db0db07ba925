"""train(cfg) -> path of the final weights. Resumable, observable, data-parallel capable.

Backends: ``native`` (stock PyTorch, channels-last, bf16 autocast only where the CPU has
native bf16) and ``ipex`` (``ipex.optimize``), chosen in xeonsr.info from what the CPU has.
Under ``torchrun`` (WORLD_SIZE > 1) each rank samples its own shard of the training images,
gradients are averaged by DDP (gloo, or oneCCL when its bindings are installed), and rank 0
alone validates and writes checkpoints.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from xeonsr.checkpoint import latest_checkpoint, save_checkpoint, save_weights
from xeonsr.data import PatchConfig, PatchSampler, cached_pairs, find_dataset
from xeonsr.errors import UserError
from xeonsr.evaluate import evaluate, load_samples, versions
from xeonsr.info import cpu_info, resolve_backend, resolve_precision
from xeonsr.models import create_model, model_kwargs
from xeonsr.protocol import check_scale


@dataclass
class TrainConfig:
    model: str = "fsrcnn"
    scale: int = 3
    out: str = "runs/fsrcnn_x3"
    data_dir: str | None = None  # folder holding T91/, BSD200/, Set5/ (or $XEONSR_DATA)
    datasets: tuple[str, ...] = ("T91",)  # training sets; test sets are never allowed here
    device: str = "cpu"
    steps: int = 20000
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
    backend: str = "auto"  # auto, native, ipex
    channels_last: bool = True  # 1.5x faster FSRCNN steps on CPU (perf-notes)
    checkpoint_every: int = 1000
    val_every: int = 1000
    val_set: str = "Set5"
    resume: bool = False
    seed: int = 0
    model_args: dict[str, Any] = field(default_factory=dict)
    init_from: str | None = None  # weights to start from (e.g. the x3 model for x2/x4)
    train_only: str | None = None  # parameter-name prefix to train, the rest frozen
    cache_dir: str | None = None
    max_minutes: float | None = None  # fit the run (schedule included) into this wall time
    # Decay of an exponential moving average of the weights (0: off). Validation and the
    # released weights then use the average, which smooths out the last steps' noise.
    ema: float = 0.0


TEST_SETS = {"set5", "set14", "b100", "urban100", "bsd100", "manga109"}


class TrainError(UserError, RuntimeError):
    pass


def _dist_env() -> tuple[int, int]:
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def _init_distributed(device: str) -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        return
    backend = "gloo"
    if device == "cuda":
        backend = "nccl"
    else:
        with contextlib.suppress(ImportError):
            import oneccl_bindings_for_pytorch  # noqa: F401 - registers the "ccl" backend

            backend = "ccl"
    dist.init_process_group(backend=backend)


def loss_margin_hr(cfg: TrainConfig, model) -> int:
    """``cfg.loss_margin`` in HR pixels, checked against the patch size."""
    m = cfg.loss_margin
    if m == "auto":
        m = int(getattr(model, "receptive_radius", 0))
    try:
        m = int(m)
    except (TypeError, ValueError):
        raise TrainError(f"--loss-margin must be a number of LR pixels or 'auto', not {m!r}") from None
    if m < 0 or 2 * m >= cfg.lq_patch:
        raise TrainError(
            f"--loss-margin {m} leaves nothing of a {cfg.lq_patch}-pixel LR patch (need 0 <= 2*margin < --patch)"
        )
    return m * cfg.scale


def make_loss(kind: str, margin: int):
    """L1 or MSE over the patch less ``margin`` HR pixels at each edge."""
    base = nn.L1Loss() if kind == "l1" else nn.MSELoss()
    if not margin:
        return base

    def loss(sr, gt):
        return base(sr[..., margin:-margin, margin:-margin], gt[..., margin:-margin, margin:-margin])

    return loss


def _lr_at(step: int, cfg: TrainConfig) -> float:
    # Cosine decay from lr to min_lr over the run, with a short linear warm-up.
    warm = min(500, cfg.steps // 20)
    if step < warm:
        return cfg.lr * (step + 1) / warm
    t = (step - warm) / max(1, cfg.steps - warm)
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * t))


def ema_update(avg: nn.Module, model: nn.Module, decay: float, updates: int) -> None:
    """avg <- d * avg + (1 - d) * model, with d ramped up over the first updates (as TF's
    ExponentialMovingAverage with num_updates) so a fresh average is not stuck at init."""
    d = min(decay, (1 + updates) / (10 + updates))
    with torch.no_grad():
        torch._foreach_lerp_(list(avg.parameters()), [p.detach() for p in model.parameters()], 1.0 - d)


def validate(model: nn.Module, samples, scale: int, device: str) -> float:
    """Mean Set5 PSNR by the protocol of ``xeonsr eval`` (fp32, whole images)."""
    from xeonsr.infer import torch_upscale_fn

    was_training = model.training
    model.eval()
    res = evaluate(torch_upscale_fn(model, device=device), samples, scale, with_ssim=False)
    model.train(was_training)
    return res["mean_psnr"]


def _plot_curve(metrics_path: Path, png: Path, bicubic_psnr: float | None, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, vals = [], []
    if not metrics_path.exists():
        return
    for line in metrics_path.read_text().splitlines():
        rec = json.loads(line)
        if rec.get("val_psnr") is not None:
            steps.append(rec["step"])
            vals.append(rec["val_psnr"])
    if not steps:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, vals, marker="o", ms=3, label=title)
    if bicubic_psnr is not None:
        ax.axhline(bicubic_psnr, color="grey", ls="--", label=f"bicubic {bicubic_psnr:.2f} dB")
    ax.set_xlabel("training step")
    ax.set_ylabel("Set5 mean PSNR (dB)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    from xeonsr.fileio import atomic_write

    atomic_write(png, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    plt.close(fig)


def _rng_state(rng: np.random.Generator) -> dict[str, Any]:
    return {"torch": torch.get_rng_state(), "numpy": json.dumps(rng.bit_generator.state)}


def train(cfg: TrainConfig, progress: bool = True) -> Path:
    """Train ``cfg.model`` and return the path of its final safetensors weights."""
    check_scale(cfg.scale)
    bad = [d for d in cfg.datasets if Path(d).name.lower() in TEST_SETS]
    if bad:
        raise TrainError(f"refusing to train on test set(s) {bad}: they are for evaluation only")
    if not 0.0 <= cfg.ema < 1.0:
        raise TrainError(f"--ema is a decay in [0, 1), e.g. 0.999; not {cfg.ema}")
    rank, world = _dist_env()
    if world > 1:
        _init_distributed(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise TrainError("--device cuda: no CUDA device is available; use --device cpu")
    device = torch.device(cfg.device)
    cpu = cpu_info()
    precision, prec_note = resolve_precision(cfg.precision, cpu)
    backend, backend_note = ("native", "CUDA") if cfg.device == "cuda" else resolve_backend(cfg.backend)
    out = Path(cfg.out)
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng([cfg.seed, rank])
    model_args = model_kwargs(cfg.model, cfg.scale, cfg.model_args)
    model = create_model(cfg.model, cfg.scale, **cfg.model_args)
    margin = loss_margin_hr(cfg, model)
    if cfg.init_from:
        from xeonsr.checkpoint import load_weights

        src, _ = load_weights(cfg.init_from, model_name=cfg.model)
        own = model.state_dict()
        # Copy every tensor whose shape fits (the x3 body into an x2/x4 model).
        fit = {k: v for k, v in src.state_dict().items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(fit, strict=False)
    if cfg.train_only:
        for name, p in model.named_parameters():
            p.requires_grad_(name.startswith(cfg.train_only))
    model.to(device)
    if cfg.channels_last:
        model = model.to(memory_format=torch.channels_last)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=cfg.lr)

    # The average lives beside the model in plain PyTorch layers (it is never trained).
    avg = copy.deepcopy(model).eval().requires_grad_(False) if cfg.ema else None
    start_step = 0
    if cfg.resume:
        found = latest_checkpoint(out / "checkpoints")
        if found is not None:
            path, state = found
            model.load_state_dict(state["model"])
            if avg is not None:
                avg.load_state_dict(state.get("ema", state["model"]))
            optimizer.load_state_dict(state["optimizer"])
            start_step = int(state["step"])
            torch.set_rng_state(state["rng"]["torch"])
            rng.bit_generator.state = json.loads(state["rng"]["numpy"])
            if rank == 0:
                print(f"resumed from {path} at step {start_step}")

    if backend == "ipex":
        import intel_extension_for_pytorch as ipex

        if avg is not None:
            raise TrainError("--ema works with the native backend (ipex.optimize repacks the weights it averages)")
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        try:
            model, optimizer = ipex.optimize(model, optimizer=optimizer, dtype=dtype)
        except Exception as e:  # noqa: BLE001 - IPEX refuses bf16 on CPUs without it
            if dtype is torch.float32:
                raise
            print(f"ipex: bf16 not supported on this CPU ({str(e).splitlines()[0]}); using fp32")
            precision = "fp32"
            model, optimizer = ipex.optimize(model, optimizer=optimizer, dtype=torch.float32)
    train_model: nn.Module = model
    if world > 1:
        train_model = nn.parallel.DistributedDataParallel(model)

    patch_cfg = PatchConfig(scale=cfg.scale, datasets=tuple(cfg.datasets), lq_patch=cfg.lq_patch)
    cache_dir = cfg.cache_dir or os.environ.get("XEONSR_CACHE") or str(Path.home() / ".cache" / "xeonsr")
    data_root = cfg.data_dir or os.environ.get("XEONSR_DATA")
    pairs = cached_pairs(patch_cfg, data_root, cache_dir)
    sampler = PatchSampler(pairs, cfg.scale, cfg.lq_patch, rng, shard=rank, num_shards=world)
    val_samples = load_samples(find_dataset(cfg.val_set, data_root), cfg.scale) if rank == 0 else []
    from xeonsr.evaluate import bicubic_fn

    bicubic_psnr = (
        evaluate(bicubic_fn(cfg.scale), val_samples, cfg.scale, with_ssim=False)["mean_psnr"] if rank == 0 else None
    )

    resolved = {
        **asdict(cfg),
        "precision": precision,
        "backend": backend,
        "world_size": world,
        "model_args": model_args,
    }
    if rank == 0:
        print(
            f"xeonsr train: {cfg.model} x{cfg.scale} on {cfg.device} ({cpu.model}); "
            f"backend {backend_note}; precision {prec_note}; {len(pairs)} training images "
            f"(with down-scaled copies); threads {torch.get_num_threads()}"
        )
    loss_fn = make_loss(cfg.loss, margin)
    autocast = (
        torch.autocast(device_type=device.type, dtype=torch.bfloat16)
        if precision == "bf16"
        else contextlib.nullcontext()
    )
    metrics_path = out / "metrics.jsonl"
    bar = None
    if progress and rank == 0:
        from tqdm import tqdm

        bar = tqdm(total=cfg.steps, initial=start_step, unit="step", dynamic_ncols=True)
    last_val = None
    t_start = time.perf_counter()
    wall_before = 0.0
    if cfg.resume and start_step and (out / "state.json").exists():
        wall_before = json.loads((out / "state.json").read_text()).get("train_seconds", 0.0)
    train_model.train()
    step = start_step
    window_loss, window_n, t_window = 0.0, 0, time.perf_counter()
    while step < cfg.steps:
        lq, gt = sampler.sample(cfg.batch_size)
        lq_t = torch.from_numpy(lq).to(device, non_blocking=True)
        gt_t = torch.from_numpy(gt).to(device, non_blocking=True)
        if cfg.channels_last:
            lq_t = lq_t.contiguous(memory_format=torch.channels_last)
        for g in optimizer.param_groups:
            g["lr"] = _lr_at(step, cfg)
        with autocast:
            sr = train_model(lq_t)
        loss = loss_fn(sr.float(), gt_t)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        if avg is not None:
            ema_update(avg, model, cfg.ema, step)
        if cfg.max_minutes and step == start_step + 50:
            t_rate = time.perf_counter()  # rate is measured after warm-up (CUDA init, caches)
        if cfg.max_minutes and step == start_step + 250:
            # Fit the schedule into the time budget: steps at the measured rate, 10% spare
            # for validation and checkpoints. The card records the steps actually run.
            rate = 200 / (time.perf_counter() - t_rate)
            budget = cfg.max_minutes * 60 * 0.9 - (time.perf_counter() - t_start)
            cfg.steps = min(cfg.steps, step + max(0, int(rate * budget)))
            resolved["steps"] = cfg.steps
            if bar is not None:
                bar.total = cfg.steps
        window_loss += float(loss.detach())
        window_n += 1
        if bar is not None:
            bar.update(1)
        log_now = step % 100 == 0 or step == cfg.steps
        val_now = rank == 0 and (step % cfg.val_every == 0 or step == cfg.steps)
        if rank == 0 and (log_now or val_now):
            rec: dict[str, Any] = {
                "step": step,
                "loss": window_loss / max(1, window_n),
                "lr": _lr_at(step - 1, cfg),
                "steps_per_s": window_n / (time.perf_counter() - t_window),
            }
            rec["patches_per_s"] = rec["steps_per_s"] * cfg.batch_size * world
            if val_now:
                last_val = validate(avg if avg is not None else model, val_samples, cfg.scale, cfg.device)
                rec["val_psnr"] = last_val
            rec["wall_s"] = wall_before + time.perf_counter() - t_start
            with open(metrics_path, "a") as f:
                f.write(json.dumps(rec) + "\n")
            if bar is not None:
                bar.set_postfix(loss=f"{rec['loss']:.4f}", val=f"{last_val:.2f}" if last_val else "-")
            window_loss, window_n, t_window = 0.0, 0, time.perf_counter()
        if rank == 0 and (step % cfg.checkpoint_every == 0 or step == cfg.steps):
            state = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "rng": _rng_state(rng),
                "config": json.dumps(resolved),
            }
            if avg is not None:
                state["ema"] = avg.state_dict()
            save_checkpoint(out / "checkpoints", step, state)
            (out / "state.json").write_text(
                json.dumps({"step": step, "train_seconds": wall_before + time.perf_counter() - t_start})
            )
            _plot_curve(metrics_path, out / "curve.png", bicubic_psnr, f"{cfg.model} x{cfg.scale}")
    if bar is not None:
        bar.close()
    final = out / f"{cfg.model}_x{cfg.scale}.safetensors"
    replica_diff = None
    if world > 1:
        import torch.distributed as dist

        # DDP keeps replicas in step; check it rather than assume it.
        flat = torch.cat([p.detach().float().reshape(-1).cpu() for p in model.parameters()])
        gathered = [torch.zeros_like(flat) for _ in range(world)]
        dist.all_gather(gathered, flat)
        replica_diff = max(float((g - flat).abs().max()) for g in gathered)
    if rank == 0:
        wall = wall_before + time.perf_counter() - t_start
        card = {
            "model": cfg.model,
            "scale": cfg.scale,
            "model_args": model_args,
            "config": resolved,
            "steps": step,
            "train_seconds": round(wall, 1),
            "device": cfg.device,
            "cpu": cpu.model if cfg.device == "cpu" else torch.cuda.get_device_name(),
            "host": platform.node(),
            "val_set": cfg.val_set,
            "val_psnr": last_val,
            "bicubic_psnr": bicubic_psnr,
            "versions": versions(),
            "world_size": world,
            "replicas_max_abs_diff": replica_diff,
        }
        save_weights((avg if avg is not None else model).float().cpu(), final, card)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return final
