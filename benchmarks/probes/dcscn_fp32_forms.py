"""Session 46: DCSCN's FP32 IR in exact variants, after ncnn ran DCSCN x3 FP32 level with or ahead
of OpenVINO on the Zen 3 (benchmarks/probes/mobile_engines_peer.py). `xeonsr profile dcscn
--precision fp32` there: the skip concatenation of the seven feature maps (96 + 88 + 80 + 72 +
62 + 51 + 32 = 481 channels) ran as a reference Concat (ref_f32, 4-5% of the time) and the
96 -> 9 reconstruction at 25 GMAC/s. Variants, each the same function (checked against the stored
IR), compiled as the bench compiles (this CPU's exact forms), timed in interleaved rounds:

- pad8: each feature map's channels padded to a multiple of 8 with zero filters (62 -> 64,
  51 -> 56: what the AVX2 kernels' 8-channel blocks compute anyway), the 1x1 layers' matching
  input columns zero;
- split: no concatenation: each 1x1 layer as the sum of one 1x1 convolution per feature map (its
  columns of the weights), the reconstruction as the sum of one 3x3 convolution per branch;
- pad8+split;
- nosums / sums: the shipped IR in this CPU's other forms, without / with `concat_sums` (the
  split form as a rewrite of the stored graph where it is compiled, xeonsr.ir_concat; an AVX2
  form since this session, applied here on any CPU so that another class can measure it).

    python benchmarks/probes/dcscn_fp32_forms.py 2 8 170x150,92x92 3 nosums,plain,pad8,split,pad8+split
    python benchmarks/probes/dcscn_fp32_forms.py 2 12 170x150,92x92 3,2,4 nosums,sums
"""

import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import openvino as ov
import torch
from torch import nn
from torch.nn import functional as F

from xeonsr import ir_forms
from xeonsr.export import convert_module
from xeonsr.infer import load_torch_model
from xeonsr.info import cpu_info
from xeonsr.ir_concat import concat_sums
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402


class Variant(nn.Module):
    def __init__(self, net, pad: bool, split: bool) -> None:
        super().__init__()
        self.net, self.split = net, split
        widths = [f[0].out_channels for f in net.features]
        padded = [-(-w // 8) * 8 if pad else w for w in widths]
        self.convs, self.slopes, c_in, c_in_p = [], [], 1, 1
        for f, w, wp in zip(net.features, widths, padded, strict=True):
            weight = torch.zeros(wp, c_in_p, 3, 3)
            weight[:w, :c_in] = f[0].weight
            bias = torch.zeros(wp)
            bias[:w] = f[0].bias
            slope = torch.full((wp,), 0.25)
            slope[:w] = f[1].weight
            self.convs.append((weight, bias))
            self.slopes.append(slope)
            c_in, c_in_p = w, wp
        self.offsets = np.cumsum([0] + widths)[:-1]
        self.widths, self.padded = widths, padded

    def _columns(self, weight):
        """A 1x1 layer's weights -> per feature map (padded input columns zero)."""
        parts = []
        for off, w, wp in zip(self.offsets, self.widths, self.padded, strict=True):
            part = torch.zeros(weight.shape[0], wp, 1, 1)
            part[:, :w] = weight[:, off : off + w]
            parts.append(part)
        return parts

    def _nin1x1(self, feats, conv):
        parts = self._columns(conv.weight)
        if self.split:
            y = F.conv2d(feats[0], parts[0], conv.bias)
            for f, p in zip(feats[1:], parts[1:], strict=True):
                y = y + F.conv2d(f, p)
            return y
        return F.conv2d(torch.cat(feats, 1), torch.cat(parts, 1), conv.bias)

    def forward(self, x):
        net, h, feats = self.net, x, []
        for (weight, bias), slope in zip(self.convs, self.slopes, strict=True):
            h = F.prelu(F.conv2d(h, weight, bias, padding=1), slope)
            feats.append(h)
        a = net.nin_a[1](self._nin1x1(feats, net.nin_a[0]))
        b = net.nin_b[1](self._nin1x1(feats, net.nin_b[0]))
        b = net.nin_b[3](net.nin_b[2](b))
        r = net.recon
        if self.split:
            na = a.shape[1]
            y = F.conv2d(a, r.weight[:, :na], r.bias, padding=1) + F.conv2d(b, r.weight[:, na:], padding=1)
        else:
            y = r(torch.cat([a, b], 1))
        return net.upsample(x) + net.shuffle(y)


def formed(model, sums: bool):
    """This CPU's other exact forms (what the bench compiles), then concat_sums or not."""
    saved = ir_forms.HOST_FORMS
    ir_forms.HOST_FORMS = {k: tuple(f for f in v if f is not concat_sums) for k, v in saved.items()}
    try:
        host_forms(model, cpu_info().forms_class)
    finally:
        ir_forms.HOST_FORMS = saved
    if sums:
        concat_sums(model)
    return model


threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
scales, variants = [int(v) for v in sys.argv[4].split(",")], sys.argv[5].split(",")
core = ov.Core()
print(f"{cpu_info().model}, {threads} threads, DCSCN FP32, {rounds} rounds, OpenVINO {ov.__version__}")
for scale in scales:
    net = load_torch_model("dcscn", scale)[0].float().eval().requires_grad_(False)
    models = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in variants:
            if name in ("nosums", "sums"):
                model = core.read_model(locate_ir("dcscn", scale, "fp32")[0])
            else:
                module = net if name == "plain" else Variant(net, "pad8" in name, "split" in name)
                xml = Path(tmp) / f"{name}.xml"
                ov.save_model(convert_module(module.eval()), xml, compress_to_fp16=False)
                model = core.read_model(xml)
            models[name] = compile_ir(formed(model, sums=name == "sums"), threads)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        requests = {k: m.create_infer_request() for k, m in models.items()}
        fns = {k: (lambda a, r=r: r.infer({0: a})[0]) for k, r in requests.items()}
        ref = fns[variants[0]](x).copy()
        diffs = {k: float(np.abs(fn(x) - ref).max()) for k, fn in fns.items()}
        assert max(diffs.values()) < 1e-4, diffs
        times = rounds_ms(fns, x, rounds)
        base = times[variants[0]]
        cells = []
        for k, v in times.items():
            r = [b / t for b, t in zip(base, v, strict=True)]
            cells.append(
                f"{k} {statistics.median(v):.2f} ms ({min(r):.2f}-{max(r):.2f}x, median {statistics.median(r):.2f}, "
                f"diff {diffs[k]:.0e})"
            )
        print(f"x{scale} {w}x{h}: " + "; ".join(cells))
