"""The model registry: public name -> (class, default constructor arguments).

Every model maps an LR Y image (N, 1, h, w) on [0, 1] to (N, 1, scale*h, scale*w).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from xeonsr.errors import UserError
from xeonsr.models.dcscn import DCSCN
from xeonsr.models.fsrcnn import FSRCNN, DeployFSRCNN
from xeonsr.models.srcnn import SRCNN, DeploySRCNN


@dataclass(frozen=True)
class ModelSpec:
    cls: type[nn.Module]
    kwargs: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


MODELS: dict[str, ModelSpec] = {
    "srcnn": ModelSpec(SRCNN, dict(n1=64, n2=32, f1=9, f2=1, f3=5, residual=False), "SRCNN 9-1-5 (ECCV 2014)"),
    "srcnn-955": ModelSpec(SRCNN, dict(n1=64, n2=32, f1=9, f2=5, f3=5, residual=False), "SRCNN 9-5-5"),
    "fsrcnn": ModelSpec(FSRCNN, dict(d=56, s=12, m=4, deconv_kernel=9, residual=False), "FSRCNN(56,12,4) (ECCV 2016)"),
    "fsrcnn-s": ModelSpec(FSRCNN, dict(d=32, s=5, m=1, deconv_kernel=9, residual=False), "FSRCNN-s(32,5,1)"),
    "dcscn": ModelSpec(
        DCSCN, dict(layers=7, first_filters=96, last_filters=32, gamma=1.5, nin_a=64, nin_b=32), "DCSCN compact (2017)"
    ),
}


class UnknownModelError(UserError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModelError(f"unknown model '{name}': choose one of {', '.join(MODELS)}") from None


def model_kwargs(name: str, scale: int, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full constructor arguments for ``name`` at ``scale`` (defaults + overrides)."""
    spec = get_spec(name)
    if overrides is not None and not isinstance(overrides, dict):
        raise UserError(f"--model-args is a JSON object of {name}'s arguments, e.g. '{{\"d\": 64}}'; not {overrides!r}")
    kwargs = {**spec.kwargs, **(overrides or {})}
    unknown = set(kwargs) - set(spec.kwargs)
    if unknown:
        raise UserError(f"{name} has no argument(s) {sorted(unknown)}; known: {sorted(spec.kwargs)}")
    for key, value in (overrides or {}).items():
        default = spec.kwargs[key]  # a JSON value of the default's kind (an int where a float is, too)
        kinds = (bool,) if isinstance(default, bool) else (int, float) if isinstance(default, float) else (int,)
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, kinds):
            what = {bool: "true or false", int: "a whole number", float: "a number"}[type(default)]
            raise UserError(f"{name}'s {key} is {what} (default {_json(default)}), not {_json(value)}")
    return {"scale": scale, **kwargs}


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def create_model(name: str, scale: int, **overrides: Any) -> nn.Module:
    """Build a registry model with its default (or overridden) architecture."""
    return get_spec(name).cls(**model_kwargs(name, scale, overrides))


def count_flops(net: nn.Module) -> float:
    """Multiply-adds x 2 of every convolution of the paper's layers, per LR input pixel (they
    scale with the area). Export writes it to the IR's manifest entry, for a bench without torch."""
    import torch

    total = [0.0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        if isinstance(mod, nn.ConvTranspose2d):
            total[0] += 2.0 * mod.in_channels * mod.out_channels * k * inp[0].shape[2] * inp[0].shape[3]
        else:
            total[0] += 2.0 * mod.in_channels // mod.groups * mod.out_channels * k * out.shape[2] * out.shape[3]

    hooks = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    # The paper's layers define the FLOP count (forward() runs exact rewrites of some of them).
    run = getattr(net, "paper_forward", net)
    try:
        with torch.no_grad():
            run(torch.zeros(1, 1, 32, 32))
    finally:
        for h in hooks:
            h.remove()
    return total[0] / (32 * 32)


def deploy_form(model):
    """A copy of ``model`` in its fastest exact form (DeployFSRCNN, DeploySRCNN)."""
    model = copy.deepcopy(model).eval().float()
    if isinstance(model, FSRCNN):
        model = DeployFSRCNN(model)
    elif isinstance(model, SRCNN):
        model = DeploySRCNN(model)
    return model
