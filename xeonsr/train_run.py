"""The parts of a training run that are not the step itself: the learning-rate schedule,
picking a step count for a time budget, the run folder's log (metrics, state, curve) and a
config that names no path of the machine that trained."""

from __future__ import annotations

import copy
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from xeonsr.fileio import atomic_write, atomic_write_text, make_folder

PATH_FIELDS = ("data_dir", "cache_dir", "out", "init_from", "val_set")


def check_numbers(cfg) -> None:
    """The run's numbers that cannot train, each one line (nan fails every range)."""
    from xeonsr.train_model import TrainError

    if not 0.0 <= cfg.ema < 1.0:
        raise TrainError(f"--ema is a decay in [0, 1), e.g. 0.999; not {cfg.ema}")
    if cfg.fp32_tail is not None and not 0.0 <= cfg.fp32_tail <= 1.0:
        raise TrainError(f"--fp32-tail is a fraction of the steps in [0, 1], not {cfg.fp32_tail}")
    if not 0.0 <= cfg.min_lr <= cfg.lr:  # a negative floor ascends the loss at the schedule's end
        raise TrainError(
            f"--min-lr {cfg.min_lr:g} (the schedule's end; default 1e-05) must be from 0 to --lr {cfg.lr:g}, its start"
        )
    if cfg.max_minutes is not None and not 0.0 < cfg.max_minutes < math.inf:
        raise TrainError(f"--max-minutes is a wall time above 0 minutes, not {cfg.max_minutes:g}")
    if abs(cfg.seed) >= 2**47:  # the patch order's generator takes seed * 65536 + rank in 64 bits
        raise TrainError(f"--seed is a whole number under 2**47 (140737488355328) either side of 0, not {cfg.seed}")
    if cfg.steps is not None and cfg.steps < 1:
        raise TrainError(f"--steps must be at least 1, not {cfg.steps}")


def lr_at(step: int, steps: int, lr: float, min_lr: float) -> float:
    """Cosine decay from ``lr`` to ``min_lr`` over ``steps``, after a short linear warm-up.
    A function of the step and the fixed schedule only, so a resumed run follows it exactly."""
    warm = min(500, steps // 20)
    if step < warm:
        return lr * (step + 1) / warm
    t = (step - warm) / max(1, steps - warm)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * t))


def portable_path(value: str | None) -> str | None:
    """A path as a card may record it: relative to the working folder, or only its last part
    (``.../name``) when it lies elsewhere; never the machine's absolute path."""
    if not value or not os.path.isabs(value):
        return value
    p, cwd = Path(value).resolve(), Path.cwd().resolve()
    try:
        return str(p.relative_to(cwd))
    except ValueError:
        return f".../{p.name}"


def portable_config(cfg: dict[str, Any]) -> dict[str, Any]:
    return {**cfg, **{k: portable_path(cfg.get(k)) for k in PATH_FIELDS if k in cfg}}


def probe_steps(model, optimizer, bank, loss_fn, autocast, bf16: bool, cfg, verbose: bool) -> int:
    """Steps that fit ``cfg.max_minutes`` (10% kept for validation and checkpoints), from 30
    timed steps on a copy of the model. The batch generator is put back, so the run draws
    exactly the batches it would have drawn without the probe."""
    import torch

    probe = copy.deepcopy(model).train()
    opt = type(optimizer)([p for p in probe.parameters() if p.requires_grad], lr=cfg.lr)
    gen_state = bank.generator.get_state()

    def one() -> None:
        lq, gt = bank.sample(cfg.batch_size)
        if cfg.channels_last:
            lq = lq.contiguous(memory_format=torch.channels_last)
        with autocast(bf16):
            loss = loss_fn(probe(lq).float(), gt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(5):
        one()
    t0 = time.perf_counter()
    for _ in range(30):
        one()
    rate = 30 / (time.perf_counter() - t0)
    bank.generator.set_state(gen_state)
    steps = max(1, int(rate * cfg.max_minutes * 60 * 0.9))
    if verbose:
        print(f"--max-minutes {cfg.max_minutes}: {rate:.1f} steps/s measured, schedule fixed at {steps} steps")
    return steps


class RunLog:
    """metrics.jsonl, state.json and curve.png of a run folder, and its progress line.

    Only rank 0 writes. On resume, metrics past the resumed step (written after the
    checkpoint a kill -9 left behind) are dropped, so the log reads as one run."""

    def __init__(
        self,
        out: Path,
        writer: bool,
        steps: int,
        start: int,
        progress: bool,
        title: str,
        val_label: str,
        bicubic_psnr: float | None,
    ) -> None:
        self.out, self.writer, self.title, self.val_label = out, writer, title, val_label
        self.bicubic_psnr = bicubic_psnr
        self.metrics = out / "metrics.jsonl"
        self.last_val: float | None = None
        self.train_seconds = 0.0
        self.replica_diff: float | None = None
        self.bar = None
        self._reset_window()
        if not writer:
            return
        make_folder(out)
        if self.metrics.exists():
            keep = [ln for ln in self.metrics.read_text().splitlines() if _step_of(ln) <= start]
            atomic_write_text(self.metrics, "".join(ln + "\n" for ln in keep))
            vals = [json.loads(ln).get("val_psnr") for ln in keep]
            self.last_val = next((v for v in reversed(vals) if v is not None), None)
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(total=steps, initial=start, unit="step", dynamic_ncols=True)

    def _reset_window(self) -> None:
        self.loss_sum, self.n, self.patches, self.t0 = 0.0, 0, 0, time.perf_counter()

    def say(self, msg: str) -> None:
        if self.writer:
            (self.bar.write if self.bar is not None else print)(msg)

    def step(self, loss: float, patches: int) -> None:
        self.loss_sum += loss
        self.n += 1
        self.patches += patches
        if self.bar is not None:
            self.bar.update(1)

    def record(self, step: int, lr: float, val_psnr: float | None) -> None:
        dt = time.perf_counter() - self.t0
        rec: dict[str, Any] = {
            "step": step,
            "loss": self.loss_sum / max(1, self.n),
            "lr": lr,
            "steps_per_s": self.n / dt,
            "patches_per_s": self.patches / dt,
        }
        if val_psnr is not None:
            rec["val_psnr"] = self.last_val = val_psnr
        with open(self.metrics, "a") as f:
            f.write(json.dumps(rec) + "\n")
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{rec['loss']:.4f}", val=f"{self.last_val:.2f}" if self.last_val else "-")
        self._reset_window()

    def checkpointed(self, step: int, train_seconds: float) -> None:
        self.train_seconds = train_seconds
        atomic_write_text(self.out / "state.json", json.dumps({"step": step, "train_seconds": train_seconds}) + "\n")
        plot_curve(self.metrics, self.out / "curve.png", self.bicubic_psnr, self.title, self.val_label)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _step_of(line: str) -> int:
    try:
        return int(json.loads(line)["step"])
    except (ValueError, KeyError, TypeError):
        return 1 << 62  # a torn last line (kill -9 mid-write) is dropped


def plot_curve(metrics_path: Path, png: Path, bicubic_psnr: float | None, title: str, val_label: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not metrics_path.exists():
        return
    pts = [json.loads(ln) for ln in metrics_path.read_text().splitlines() if ln.strip()]
    pts = [(r["step"], r["val_psnr"]) for r in pts if r.get("val_psnr") is not None]
    if not pts:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    steps, vals = zip(*pts, strict=True)
    ax.plot(steps, vals, marker="o", ms=3, label=title)
    if bicubic_psnr is not None:
        ax.axhline(bicubic_psnr, color="grey", ls="--", label=f"bicubic {bicubic_psnr:.2f} dB")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"{val_label} mean PSNR (dB)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    atomic_write(png, lambda tmp: fig.savefig(tmp, dpi=100, format="png"))
    plt.close(fig)


class StopOnSignal:
    """SIGTERM and SIGINT ask the loop to checkpoint and stop (a kill -9 loses at most the
    steps since the last checkpoint). Installed only where Python allows: the main thread."""

    def __init__(self) -> None:
        import signal
        import threading

        self._flag, self._old = False, {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._set)

    def _set(self, signum, frame) -> None:
        self._flag = True

    def is_set(self) -> bool:
        return self._flag

    def restore(self) -> None:
        import signal

        for sig, old in self._old.items():
            signal.signal(sig, old)


def release_weights(cfg, out, model, avg, model_args, resolved, val_label, val_files, log, step) -> Path:
    """Write the finished run's weights and card (config, lineage facts, validation images)."""
    import platform

    import torch

    from xeonsr.checkpoint import save_weights
    from xeonsr.info import cpu_info
    from xeonsr.installed import versions
    from xeonsr.train_model import released_model

    final = out / f"{cfg.model}_x{cfg.scale}.safetensors"
    card = {
        "model": cfg.model,
        "scale": cfg.scale,
        "model_args": model_args,
        "config": resolved,
        "steps": step,
        "released": f"the last step ({step}); no checkpoint was chosen by a score",
        "train_seconds": round(log.train_seconds, 1),
        "device": cfg.device,
        "cpu": cpu_info().model if cfg.device == "cpu" else torch.cuda.get_device_name(),
        "host": platform.node(),
        "val_set": val_label,
        "val_images": [p.stem for p in val_files],
        "val_psnr": log.last_val,
        "bicubic_psnr": log.bicubic_psnr,
        "versions": versions(),
        "world_size": resolved["world_size"],
        "replicas_max_abs_diff": log.replica_diff,
    }
    save_weights(released_model(model, avg, model_args, cfg.model), final, card)
    return final
