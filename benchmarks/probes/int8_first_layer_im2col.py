"""An AVX2 INT8 IR's quantized first layer stored in rows (k row-shifted copies, the image's
FakeQuantize, a 1 x k convolution on k channels) as a full im2col instead: k x k patches (k*k
channels), the same FakeQuantize, a 1 x 1 convolution with the same int8 weights reshaped.
With 7-bit weights the AVX2 kernels' int16 pair sums cannot saturate (2 * 255 * 64 < 32767), so
any channel order gives the same integer sums: the outputs must match to the bit. Both IRs get
this CPU's host forms (as the runtime compiles them); interleaved rounds.

    python benchmarks/probes/int8_first_layer_im2col.py IR_NAME THREADS ROUNDS WxH[,WxH...]

Session 44 (AMD EPYC Zen 3): see benchmarks/probes/README.md. Session 50 (AMD EPYC Zen 2) adds
im2col_u8: the k*k copies made after the quantizer (xeonsr.ir_rows_u8's way), against the rows
form with its copies made that way too (the AVX2 host forms now do it).
"""

import statistics
import sys

import numpy as np
import openvino as ov

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402


def _worst_pair(flat) -> int:
    """The largest |sum| of two adjacent channels' products a u8 input can make, per the kernels'
    channel order (``flat``: (oc, channels) in the order the kernel reads them)."""
    flat = flat.astype(np.int64)
    if flat.shape[1] % 2:
        flat = np.concatenate([flat, np.zeros((len(flat), 1), np.int64)], axis=1)
    a, b = flat[:, 0::2], flat[:, 1::2]
    pos = 255 * (np.maximum(a, 0) + np.maximum(b, 0))
    neg = 255 * (np.minimum(a, 0) + np.minimum(b, 0))
    return int(max(pos.max(), -neg.min()))


def _u8_patches(ops, fq, image, k):
    """The k*k shifted copies (channel dy*k + dx) made after the quantizer: the image's
    FakeQuantize, a zero Pad of k//2 on each side, k*k Slices, one Concat (u8 in OpenVINO)."""

    def i64(v):
        return ops.constant(np.array(v, np.int64))

    q = ops.fake_quantize(image, *(fq.input_value(i) for i in range(1, 5)), fq.get_levels())
    r = k // 2
    padded = ops.pad(q, i64([0, 0, r, r]), i64([0, 0, r, r]), "constant")
    hw = ops.gather(ops.shape_of(q, "i64"), i64([2, 3]), i64(0))
    parts = []
    for dy in range(k):
        for dx in range(k):
            start = i64([dy, dx])
            parts.append(ops.slice(padded, start, ops.add(start, hw), i64([1, 1]), i64([2, 3])))
    return ops.concat(parts, 1)


def im2col(model, u8: bool = False) -> str:
    ops = opset(13)
    eip = next(op for op in model.get_ordered_ops() if op.get_type_name() == "ExtractImagePatches")
    k = eip.get_attributes()["sizes"][0]
    fq = next(iter(eip.output(0).get_target_inputs())).get_node()
    conv = next(iter(fq.output(0).get_target_inputs())).get_node()
    mul = conv.input(1).get_source_output().get_node()
    convert = mul.input(0).get_source_output().get_node()
    w = convert.input(0).get_source_output().get_node().get_data()  # (oc, k, 1, k) int8
    for form, flat in (("rows", w.transpose(0, 2, 3, 1).reshape(len(w), -1)), ("im2col", w.reshape(len(w), -1))):
        print(f"  {form}: worst int16 pair sum {_worst_pair(flat)} (saturates past 32767)")
    if u8:
        source = _u8_patches(ops, fq, eip.input_value(0), k).output(0)
    else:
        patches = ops.extract_image_patches(eip.input_value(0), [k, k], [1, 1], [1, 1], "same_upper")
        fq.input(0).replace_source_output(patches.output(0))
        fq.validate_and_infer_types()
        source = fq.output(0)
    weights = ops.constant(np.ascontiguousarray(w.reshape(w.shape[0], k * k, 1, 1)))
    convert.input(0).replace_source_output(weights.output(0))
    for node in (convert, mul):
        node.validate_and_infer_types()
    new = ops.convolution(source, mul.output(0), [1, 1], [0, 0], [0, 0], [1, 1])
    for target in conv.output(0).get_target_inputs():
        target.replace_source_output(new.output(0))
    new.set_friendly_name(conv.get_friendly_name())
    model.validate_nodes_and_infer_types()
    return conv.get_friendly_name()


def main(name: str, threads: int, rounds: int, sizes: list[str]) -> None:
    forms = cpu_info().forms_class
    reqs = {}
    for form in ("rows (stored)", "im2col", "im2col_u8"):
        model = ov.Core().read_model(f"xeonsr/openvino_models/{name}.xml")
        if form != "rows (stored)":
            print(f"{name}: {im2col(model, u8=form == 'im2col_u8')} as a {form}")
        host_forms(model, forms)
        reqs[form] = compile_ir(model, threads).create_infer_request()
    for size in sizes:
        w, h = map(int, size.split("x"))
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        outs = {k: r.infer({0: x})[0].copy() for k, r in reqs.items()}
        times = rounds_ms({k: (lambda v, r=r: r.infer({0: v})) for k, r in reqs.items()}, x, rounds)
        base = times["rows (stored)"]
        for form in ("im2col", "im2col_u8"):
            diff = float(np.abs(outs[form] - outs["rows (stored)"]).max())
            ratio = [a / b for a, b in zip(base, times[form], strict=True)]
            print(
                f"{size}: rows {statistics.median(base):.3f} ms, {form} {statistics.median(times[form]):.3f} ms; "
                f"rows / {form} per round {min(ratio):.3f}-{max(ratio):.3f} (median {statistics.median(ratio):.3f}); "
                f"max output difference {diff}"
            )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","))
