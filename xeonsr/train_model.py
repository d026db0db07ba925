"""The network side of training: building the model to train, the loss, the moving average
of its weights, and the plain fp32 module a run validates and releases."""

from __future__ import annotations

import torch
from torch import nn

from xeonsr.errors import UserError


class TrainError(UserError, RuntimeError):
    pass


def check_network(cfg) -> None:
    """The network of ``cfg`` built and run on one LR patch before any data is read: --model-args
    that cannot make it (a layer of 0 channels) or that change its output's size are one line, and
    so is a --batch-size whose activations cannot fit in the memory free (on CPU: past it, the
    kernel kills the run, and whatever else it picks, without a word)."""
    import json

    from xeonsr.errors import one_line
    from xeonsr.models import create_model, model_kwargs

    model_kwargs(cfg.model, cfg.scale, cfg.model_args)  # its names and kinds first, in their own words
    p, sizes = cfg.lq_patch, []
    what = f"{cfg.model}" + (f" with --model-args {json.dumps(cfg.model_args)}" if cfg.model_args else "")
    try:
        net = create_model(cfg.model, cfg.scale, **(cfg.model_args or {}))
        for leaf in (m for m in net.modules() if not list(m.children())):
            leaf.register_forward_hook(lambda m, i, o: sizes.append(o.numel() if torch.is_tensor(o) else 0))
        with torch.no_grad():
            out = net(torch.zeros(1, 1, p, p))
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 - torch says why in its own words
        raise TrainError(f"{what} cannot be built and run: {one_line(e)}") from None
    if tuple(out.shape[2:]) != (p * cfg.scale, p * cfg.scale):
        raise TrainError(f"{what} maps a {p} x {p} patch to {out.shape[3]} x {out.shape[2]}, not x{cfg.scale}")
    if cfg.device != "cpu" or (free := available_bytes()) is None:
        return
    # Its layers' outputs, kept for the backward pass, and their gradients: 0.5-0.9x this sum in
    # bf16, 1.5x in fp32 (2048-patch batches of FSRCNN and SRCNN x3, max RSS, Emerald Rapids).
    from xeonsr.info import cpu_info

    bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and cpu_info().native_bf16)
    per_patch = 4 * sum(sizes) * (1.0 if bf16 else 1.5)
    if cfg.batch_size * per_patch > free:
        raise TrainError(
            f"--batch-size {cfg.batch_size}: {what}'s activations take about {cfg.batch_size * per_patch / 1e9:.0f} "
            f"GB ({per_patch / 1e6:.2f} MB a {p} x {p} patch), over the {free / 1e9:.1f} GB free here; "
            f"at most --batch-size {int(free // per_patch)}"
        )


def available_bytes() -> int | None:
    """Memory this process can still take: the kernel's MemAvailable, or less under a cgroup limit."""
    from pathlib import Path

    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
        free = int(next(ln.split()[1] for ln in lines if ln.startswith("MemAvailable:"))) * 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            free = min(free, int(limit) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return free


def build_model(cfg, device: torch.device, init: bool = True) -> nn.Module:
    """The registry model of ``cfg`` on ``device`` (channels-last if asked), started from
    ``cfg.init_from`` where its tensors fit, with only ``cfg.train_only`` trainable."""
    from xeonsr.models import create_model

    model = create_model(cfg.model, cfg.scale, **cfg.model_args)
    if cfg.init_from and init:
        from xeonsr.checkpoint import WeightsError, load_weights

        src, card = load_weights(cfg.init_from)
        if type(src) is not type(model):  # srcnn weights may start srcnn-955 (one class), nothing else
            raise WeightsError(f"{cfg.init_from}: weights are for model '{card.get('model')}', not '{cfg.model}'")
        own = model.state_dict()
        # Copy every tensor whose shape fits (the x3 body into an x2/x4 model), and widen a
        # smaller kernel into a larger 'same'-padded one (SRCNN 9-1-5 -> 9-5-5).
        fit = {k: v for k, v in src.state_dict().items() if k in own and own[k].shape == v.shape}
        fit.update(widened_kernels(model, src.state_dict()))
        fit.update(resampled_subpixel_head(model, src))
        model.load_state_dict(fit, strict=False)
    if cfg.train_only:
        for name, p in model.named_parameters():
            p.requires_grad_(name.startswith(cfg.train_only))
    model.to(device)
    return model.to(memory_format=torch.channels_last) if cfg.channels_last else model


def widened_kernels(model: nn.Module, src: dict) -> dict:
    """Weights of ``src`` for ``model``'s 'same'-padded convolutions whose kernels are larger:
    the source kernel at the centre, zeros around it. A k x k kernel zero-padded to K x K with
    padding K // 2 computes exactly what it did with padding k // 2, so the model starts as the
    smaller one and training grows the new taps."""
    out = {}
    for name, mod in model.named_modules():
        w = src.get(f"{name}.weight")
        if type(mod) is not nn.Conv2d or w is None or w.dim() != 4 or mod.weight.shape == w.shape:
            continue
        (o, i, kh, kw), (so, si, sh, sw) = mod.weight.shape, w.shape
        same = mod.padding == (kh // 2, kw // 2) and mod.stride == (1, 1) and mod.dilation == (1, 1)
        if (o, i) != (so, si) or not same or sh > kh or sw > kw or (kh - sh) % 2 or (kw - sw) % 2:
            continue
        big = torch.zeros_like(mod.weight)
        dy, dx = (kh - sh) // 2, (kw - sw) // 2
        big[:, :, dy : dy + sh, dx : dx + sw] = w
        out[f"{name}.weight"] = big
    return out


def resampled_subpixel_head(model: nn.Module, src: nn.Module) -> dict:
    """A pixel-shuffle head (``model.subpixel_head``, scale^2 outputs) moved from ``src``'s
    scale to ``model``'s: each output sub-pixel starts as the source's sub-pixel nearest to it
    inside the LR pixel, so an x3 network starts x2 or x4 near its x3 quality (a fresh head
    starts it at plain bicubic)."""
    name = getattr(model, "subpixel_head", None)
    s, t = model.scale, getattr(src, "scale", None)
    if not name or t is None or t == s:
        return {}
    # Sub-pixel i of an s-times output sits (i + 0.5) / s - 0.5 LR pixels from the LR centre.
    near = [min(t - 1, max(0, round(((i + 0.5) / s) * t - 0.5))) for i in range(s)]
    rows = torch.tensor([near[i] * t + near[j] for i in range(s) for j in range(s)])  # PixelShuffle order
    head = src.state_dict()
    return {f"{name}.{p}": head[f"{name}.{p}"][rows].clone() for p in ("weight", "bias")}


def loss_margin_hr(cfg, model) -> int:
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


def ema_update(avg: nn.Module, model: nn.Module, decay: float, updates: int) -> None:
    """avg <- d * avg + (1 - d) * model, with d ramped up over the first updates (as TF's
    ExponentialMovingAverage with num_updates) so a fresh average is not stuck at init."""
    d = min(decay, (1 + updates) / (10 + updates))
    with torch.no_grad():
        torch._foreach_lerp_(list(avg.parameters()), [p.detach() for p in model.parameters()], 1.0 - d)


def released_model(model: nn.Module, avg: nn.Module | None, model_args: dict, name: str) -> nn.Module:
    """The weights the run releases, as a plain fp32 module on the CPU.

    Validation runs this too: it is what a user gets. (An IPEX-optimized module holds
    prepacked, possibly bf16 weights that only its training forward can run.)"""
    from xeonsr.models import get_spec

    src = avg if avg is not None else model
    net = get_spec(name).cls(**model_args)
    net.load_state_dict({k: v.detach().float().cpu() for k, v in src.state_dict().items()})
    return net.eval()


def ipex_optimize(model, optimizer, precision):
    """-> (model, optimizer, the precision IPEX will train in).

    IPEX refuses bf16 weight prepacking without AVX512-BF16/AMX/AVX-NE-CONVERT; the run then
    trains in fp32, and the caller must not open bf16 autocast over fp32-prepacked weights
    (oneDNN has no primitive for that mix)."""
    import intel_extension_for_pytorch as ipex

    if precision == "fp32":
        return (*ipex.optimize(model, optimizer=optimizer, dtype=torch.float32), "fp32")
    try:
        return (*ipex.optimize(model, optimizer=optimizer, dtype=torch.bfloat16), "bf16")
    except Exception as e:  # noqa: BLE001 - IPEX refuses bf16 on CPUs without it
        print(f"ipex: bf16 not supported on this CPU ({str(e).splitlines()[0]}); using fp32")
        return (*ipex.optimize(model, optimizer=optimizer, dtype=torch.float32), "fp32")


def restore(found, model, avg, optimizer, gen, rank: int, world: int) -> tuple[int, float]:
    """Put a checkpoint's state back: weights, average, Adam, the global and this rank's batch
    generator. -> (step, training seconds so far)."""
    path, state = found
    model.load_state_dict(state["model"])
    if avg is not None:
        avg.load_state_dict(state.get("ema", state["model"]))
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"]["torch"])
    gens = state["rng"].get("generators")
    if gens is not None and len(gens) == world:
        gen.set_state(gens[rank].to(gen.get_state().device))
    elif rank == 0:
        print(f"resume: {path.name} has no batch-generator state for {world} rank(s); batches are reseeded")
    if rank == 0:
        print(f"resumed from {path} at step {int(state['step'])}")
    return int(state["step"]), float(state.get("train_seconds", 0.0))
