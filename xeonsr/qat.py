"""Quantization-aware training (NNCF, PyTorch): INT8 where post-training quantization can't.

The network is quantized in the exact form the FP32 IR runs (``deploy_form``) with the
quantizers OpenVINO will run (the bicubic skip branch, the residual add and the pixel shuffle
stay float, as in PTQ), then fine-tuned on training patches (the held-out images excluded) with
the quantization noise in the forward pass and straight-through gradients, and converted to an
INT8 IR. The FP32 weights are untouched; only the INT8 IR carries the fine-tuned weights.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class QATConfig:
    steps: int = 3000
    # Cosine to 0, quantizer ranges and weights alike. fsrcnn-s x2 on BSD200-val (1 thread, Zen 4):
    # 5e-4 for 4000 steps ended at -0.135 dB, 1e-4 for 2000 at -0.102 (every layer INT8).
    lr: float = 1e-4
    batch_size: int = 32
    lq_patch: int = 32
    loss_margin: int = 4  # LR pixels of each patch edge outside the loss (zero padding)
    datasets: tuple[str, ...] = ("T91", "BSD200")  # BSD200's held-out images are never read
    seed: int = 0
    threads: int | None = None
    # "mse": the batch's mean squared error; "psnr": the mean over patches of log(MSE + half a
    # grey level squared), the per-image mean PSNR the budget measures, in which a flat patch
    # counts as much as a textured one. srcnn x2, 1500 steps, every layer INT8, BSD200-val's
    # five worst images: mse 0.083 dB, psnr 0.108 (and mean 0.012 vs 0.048): mse stays.
    loss: str = "mse"


def torch_scope(ov_names: list[str], deploy) -> list[str]:
    """OpenVINO names of convolutions ('__module.body.0/aten::_convolution/Convolution') -> the
    names NNCF gives the same convolutions in the PyTorch graph of ``deploy``, found by the
    weight each one reads ('body.0.weight' -> 'body/0/conv2d/0'; DCSCN's 'features.0.0' is
    '0/conv2d/0' there, so no rule on the names alone would do)."""
    import torch
    from nncf.torch.function_hook.nncf_graph.nncf_graph_builder import build_nncf_graph

    if not ov_names:
        return []
    graph = build_nncf_graph(deploy, torch.rand(1, 1, 24, 24))
    by_weight = {}
    for node in graph.get_all_nodes():
        if node.node_type == "conv2d":
            for edge in graph.get_input_edges(node):
                if edge.input_port_id == 1:
                    by_weight[edge.from_node.node_name.removesuffix(".weight")] = node.node_name
    out = []
    for name in ov_names:
        path = name.split("/", 1)[0].removeprefix("__module.")
        found = [t for w, t in by_weight.items() if w == path or w.endswith("." + path)]
        if len(found) != 1:
            raise ValueError(f"no single PyTorch convolution for {name} (weights: {sorted(by_weight)})")
        out.append(found[0])
    return out


# Kept float in the PyTorch graph for the reason of ir_graph.skip_branch_ops: quantizers there
# would round the output image itself to 8 bits.
SKIP_PATTERNS = ["upsample/.*"]
SKIP_NAMES = ["/add/0", "/pixel_shuffle/0"]


def qat_int8(
    net,
    scale: int,
    calib: list[np.ndarray],
    cfg: QATConfig,
    data_dir,
    float_convs=(),
    advanced=None,
    equalized=(),
    log=print,
    preset: str = "mixed",
):
    """Fine-tune ``net`` (the FP32 module, eval form) with INT8 quantizers -> openvino.Model.

    ``calib``: LR crops (1, 1, p, p) that set the quantizers' initial ranges; ``float_convs``:
    OpenVINO names of convolutions to keep float; ``advanced``: NNCF's quantizer settings
    (ptq.advanced_parameters of the recipe); ``equalized``: the scales equalize.equalize applied
    to the FP32 IR, applied to the module before quantizers go in; ``preset``: the recipe's
    ("mixed": asymmetric activations; "performance": symmetric, the AMX class's)."""
    import nncf
    import torch

    from xeonsr.data import PatchConfig, build_pairs
    from xeonsr.export import convert_module
    from xeonsr.ir_graph import pin_image_range
    from xeonsr.models import deploy_form
    from xeonsr.patches import PatchBank
    from xeonsr.ptq import nncf_preset
    from xeonsr.threads import apply_threads, plan_threads

    apply_threads(plan_threads(cfg.threads))
    # NNCF compiles its quantizer kernels (a C++ extension) on first use and gives up after 60 s
    # by default; on a busy 2-core machine the build took longer. Once built it is cached.
    os.environ.setdefault("NNCF_EXTENSION_LOAD_TIMEOUT", "1800")
    torch.manual_seed(cfg.seed)
    deploy = deploy_form(net)
    if equalized:
        from xeonsr.equalize import equalize_torch

        log(f"qat: {equalize_torch(deploy, equalized)} convolution pairs equalized")
    scope = nncf.IgnoredScope(
        patterns=SKIP_PATTERNS, names=SKIP_NAMES + torch_scope(list(float_convs), deploy), validate=False
    )
    qnet = nncf.quantize(
        deploy,
        nncf.Dataset([torch.from_numpy(c) for c in calib]),
        preset=nncf_preset(preset),
        subset_size=len(calib),
        ignored_scope=scope,
        advanced_parameters=advanced,
    )
    pin_image_quantizers(qnet)
    pairs = build_pairs(
        PatchConfig(scale=scale, datasets=cfg.datasets, lq_patch=cfg.lq_patch, down_factors=(1.0,)), data_dir
    )
    gen = torch.Generator().manual_seed(cfg.seed)
    bank = PatchBank(pairs, scale, cfg.lq_patch, "cpu", gen)
    opt = torch.optim.Adam(qnet.parameters(), lr=cfg.lr)
    m = cfg.loss_margin * scale
    qnet.train()
    _load_quantizer_kernels(qnet, log)
    t0 = time.perf_counter()
    for step in range(1, cfg.steps + 1):
        lq, gt = bank.sample(cfg.batch_size)
        sr = qnet(lq)
        loss = patch_loss(sr[..., m:-m, m:-m] if m else sr, gt[..., m:-m, m:-m] if m else gt, cfg.loss)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        for group in opt.param_groups:
            group["lr"] = cfg.lr * 0.5 * (1 + math.cos(math.pi * step / cfg.steps))
        if step % 500 == 0 or step == cfg.steps:
            log(f"qat step {step}/{cfg.steps}: loss {loss.item():.3e}, {time.perf_counter() - t0:.0f} s")
    qnet.eval()
    snap_weights_to_grid(qnet)
    int8 = convert_module(qnet)
    pin_image_range(int8)  # already [0, 1]: the IR says so exactly, as PTQ's do
    return int8, round(time.perf_counter() - t0, 1)


def pin_image_quantizers(qnet) -> int:
    """The image's quantizers (ir_graph.pin_image_range) at [0, 1] in 256 levels, and kept there
    while the other ranges train. In NNCF's hook storage they are the activation quantizers
    before a convolution's input port 0 ('pre_hooks.body/0/conv2d/0__0.0'): every other
    activation quantizer follows the op that makes the activation (a post-hook)."""
    import torch
    from nncf.torch.function_hook import get_hook_storage
    from nncf.torch.quantization.layers import AsymmetricQuantizer

    pinned = 0
    for name, mod in get_hook_storage(qnet).named_modules():
        if isinstance(mod, AsymmetricQuantizer) and name.startswith("pre_hooks.") and name.endswith("__0.0"):
            if mod.levels != 256:
                continue
            with torch.no_grad():
                mod.input_low.fill_(0.0)
                mod.input_range.fill_(1.0)
            mod.input_low.requires_grad_(False)
            mod.input_range.requires_grad_(False)
            pinned += 1
    return pinned


def snap_weights_to_grid(qnet) -> int:
    """Each quantized convolution's weights replaced by their INT8 values (what its quantizer
    computes from them) -> how many. The exported IR quantizes the weights again with torch's
    fake_quantize, which rounds a weight lying half a step between two levels the other way than
    NNCF's quantizer did in training (a few weights of a layer: on fsrcnn-s x2 the IR then differed
    from the network QAT trained by up to three grey levels; docs/int8.md); weights on the
    grid come out of either the same."""
    import torch
    from nncf.torch.function_hook import get_hook_storage
    from nncf.torch.quantization.layers import BaseQuantizer

    snapped = 0
    for name, quantizer in get_hook_storage(qnet).named_modules():
        # A convolution's weight quantizer: the pre-hook on its port 1 ('pre_hooks.body/4/conv2d/0__1.0').
        if not (isinstance(quantizer, BaseQuantizer) and name.startswith("pre_hooks.") and name.endswith("__1.0")):
            continue
        path = ".".join(name[len("pre_hooks.") : -len("__1.0")].split("/")[:-2])
        try:
            weight = getattr(qnet.get_submodule(path), "weight", None)
        except AttributeError:  # a functional convolution: its weight is no module's
            continue
        if weight is None or not quantizer.is_enabled_quantization():
            continue
        with torch.no_grad():
            weight.copy_(quantizer(weight))
        snapped += 1
    return snapped


# Errors under half a grey level vanish in the output's rounding to uint8.
HALF_LEVEL_SQ = (0.5 / 255.0) ** 2


def patch_loss(sr, gt, kind: str):
    import torch

    if kind == "mse":
        return torch.nn.functional.mse_loss(sr, gt)
    if kind == "psnr":
        per_patch = (sr - gt).square().mean(dim=(1, 2, 3))
        return torch.log10(per_patch + HALF_LEVEL_SQ).mean()
    raise ValueError(f"unknown QAT loss {kind!r}: mse or psnr")


def _load_quantizer_kernels(qnet, log) -> None:
    """One forward/backward so NNCF builds its CPU extension now, with a one-line error if it can't."""
    from xeonsr.errors import UserError

    log("qat: loading NNCF's quantizer kernels (compiled with the C++ compiler on first use, then cached)")
    import torch

    _clear_stale_build_lock(log)

    try:  # an input of its own: the training batches' generator is not touched
        qnet(torch.rand(1, 1, 16, 16)).mean().backward()
    except Exception as e:  # noqa: BLE001 - a failed build surfaces as several exception types
        first = (str(e).strip().splitlines() or [""])[0]
        raise UserError(
            f"QAT needs NNCF's CPU extension, which did not build ({e.__class__.__name__}: {first}); "
            "install a C++ compiler (e.g. apt install g++) or use --method ptq"
        ) from None
    qnet.zero_grad(set_to_none=True)


# A build takes 1-5 minutes on a busy 2-core machine; a lock older than this was left by a
# build that was killed, and torch would wait on it forever (then NNCF's timeout fails QAT).
STALE_LOCK_S = 1800


def _clear_stale_build_lock(log, now: float | None = None) -> list[Path]:
    """Remove NNCF's extension build locks older than STALE_LOCK_S -> the paths removed."""
    from torch.utils.cpp_extension import get_default_build_root

    root = Path(os.environ.get("TORCH_EXTENSIONS_DIR") or get_default_build_root())
    now = time.time() if now is None else now
    removed = []
    for lock in root.glob("**/nncf/**/lock"):
        try:
            if now - lock.stat().st_mtime > STALE_LOCK_S:
                lock.unlink()
                removed.append(lock)
                log(f"qat: removed {lock}, left by an interrupted build of NNCF's kernels")
        except OSError:
            continue  # another process took it first
    return removed


def torch_weights(model: str, scale: int, weights, fp32_entry: dict, ir_dir):
    """The PyTorch module QAT fine-tunes: ``weights``, else the file the FP32 IR was exported
    from (recorded in its manifest entry)."""
    from xeonsr.checkpoint import WeightsError
    from xeonsr.infer import load_torch_model
    from xeonsr.irs import is_shipped

    recorded = fp32_entry.get("weights")
    if weights is None and not is_shipped(ir_dir) and recorded != f"xeonsr/weights/{model}_x{scale}.safetensors":
        if not recorded or not Path(recorded).is_file():
            raise WeightsError(
                f"QAT fine-tunes the PyTorch weights the FP32 IR of {model} x{scale} was exported from "
                f"({recorded or 'not recorded'}: not found); pass --weights FILE"
            )
        weights = recorded
    net, _card = load_torch_model(model, scale, weights)
    return net


def check_exported_from(net, fp32_compiled, weights, xml: Path) -> None:
    """QAT fine-tunes ``net`` (from ``weights``) into the INT8 IR that stands beside the FP32 IR
    ``xml``, and its budget is measured against that IR: both must be the same network. `xeonsr
    quantize --weights W` with a store whose FP32 IR came from other weights "lost" 5.8 dB in QAT
    and then quantized the other IR."""
    import torch

    from xeonsr.checkpoint import WeightsError

    x = np.random.default_rng(0).random((1, 1, 24, 28), dtype=np.float32)
    with torch.no_grad():
        ours = net(torch.from_numpy(x)).numpy()
    gap = float(np.abs(ours - np.asarray(fp32_compiled(x)[0])).max())
    if gap > 1e-3:  # a quarter of a grey level: another network, not rounding
        raise WeightsError(
            f"{weights} is not what {xml} was exported from (outputs differ by up to {gap * 255:.1f} grey levels): "
            f"`xeonsr export --weights {weights} --ir-dir DIR`, then quantize with --ir-dir DIR"
        )
