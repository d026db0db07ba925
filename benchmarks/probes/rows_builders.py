"""How to build the k row-shifted copies of a one-channel first layer (xeonsr.ir_forms.first_layer_rows).

The rows form runs a k x k one-channel convolution as a 1 x k convolution over k row-shifted copies
of the image. first_layer_rows builds the copies with ExtractImagePatches, which OpenVINO runs in a
reference kernel followed by a reorder. This probe times the whole IR with the copies built three
ways, interleaved, against the stored graph:
  eip     ExtractImagePatches (k x 1), as first_layer_rows does
  shift   a k x 1 convolution with one-hot weights, one channel per kernel row
  slices  a zero Pad of k//2 rows, k row slices, one Concat
  shiftfull  not rows: a k x k one-hot convolution to k*k channels, then a 1 x 1 convolution
Float layers only (a Constant weight straight into the convolution), so it also runs on an INT8 IR's
float first layer; "valid" takes the unpadded one-channel layers instead (the bicubic skips).

Session 18, AMD EPYC Zen 3, 2 threads, 160x140, 7 interleaved rounds, quiet: SRCNN x3 FP32 conv1
eip 1.18x / shift 1.17x / slices 1.15x over the stored graph (medians); FSRCNN x3 AVX2 INT8 IR's
float body.0 eip 0.98x / shift 1.02x; its bicubic skip in rows eip 0.99x / shift 0.96x / slices
0.96x. Nothing beats ExtractImagePatches: first_layer_rows keeps it. (Timed on one thread beside a
training job, shift had looked 1.2x better: the reason benchmarks run on a quiet machine.)

usage: python benchmarks/probes/rows_builders.py IR.xml WxH THREADS ROUNDS [REPEATS] [first|valid|both] [KIND,...]
("valid": the unpadded one-channel convolutions instead, e.g. FSRCNN's bicubic skip; "both": each)
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import openvino.properties as props
import openvino.properties.hint as hints

from xeonsr.ir_forms import first_layer_rows

WHICH = sys.argv[6] if len(sys.argv) > 6 else "first"
KINDS = sys.argv[7].split(",") if len(sys.argv) > 7 else ["eip", "shift", "slices", "shiftfull"]


def _targets(model):
    for conv in model.get_ordered_ops():
        if conv.get_type_name() != "Convolution":
            continue
        w = conv.input(1).get_source_output().get_node()
        if w.get_type_name() != "Constant":
            continue
        oc, ic, kh, kw = list(w.get_output_shape(0))
        a = conv.get_attributes()
        ph, pw = list(a["pads_begin"])
        if ic != 1 or kh < 3 or kh % 2 == 0 or list(a["pads_end"]) != [ph, pw] or ph not in (0, kh // 2):
            continue
        if WHICH == "first" and ph == 0 or WHICH == "valid" and ph != 0:
            continue
        yield conv, w.get_data(), oc, kh, kw, ph, pw


def rows(model, kind):
    if kind == "eip":
        return first_layer_rows(model) if WHICH == "first" else []
    done = []
    for conv, w, oc, kh, kw, ph, pw in list(_targets(model)):
        image = conv.input(0).get_source_output()
        if kind == "shift":
            onehot = np.zeros((kh, 1, kh, 1), np.float32)
            onehot[np.arange(kh), 0, np.arange(kh), 0] = 1
            copies = ops.convolution(image, ops.constant(onehot), [1, 1], [ph, 0], [ph, 0], [1, 1])
        elif kind == "slices":
            padded = ops.pad(
                image, ops.constant(np.array([0, 0, ph, 0])), ops.constant(np.array([0, 0, ph, 0])), "constant"
            )
            h = ops.shape_of(image)
            height = ops.add(
                ops.gather(h, ops.constant(np.array([2])), ops.constant(np.array(0))),
                ops.constant(np.array([2 * ph - kh + 1])),
            )
            parts = []
            for dy in range(kh):
                start = ops.constant(np.array([dy]))
                parts.append(
                    ops.slice(
                        padded, start, ops.add(start, height), ops.constant(np.array([1])), ops.constant(np.array([2]))
                    )
                )
            copies = ops.concat(parts, 1)
        elif kind == "shiftfull":
            onehot = np.eye(kh * kw, dtype=np.float32).reshape(kh * kw, 1, kh, kw)
            copies = ops.convolution(image, ops.constant(onehot), [1, 1], [ph, pw], [ph, pw], [1, 1])
            new = ops.convolution(
                copies, ops.constant(np.ascontiguousarray(w.reshape(oc, kh * kw, 1, 1))), [1, 1], [0, 0], [0, 0], [1, 1]
            )
            new.set_friendly_name(conv.get_friendly_name())
            conv.output(0).replace(new.output(0))
            done.append(conv.get_friendly_name())
            continue
        else:
            raise ValueError(kind)
        new = ops.convolution(
            copies, ops.constant(np.ascontiguousarray(w.reshape(oc, kh, 1, kw))), [1, 1], [0, pw], [0, pw], [1, 1]
        )
        new.set_friendly_name(conv.get_friendly_name())
        conv.output(0).replace(new.output(0))
        done.append(conv.get_friendly_name())
    model.validate_nodes_and_infer_types()
    return done


if __name__ == "__main__":
    xml, size, th, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    W, H = map(int, size.split("x"))
    core = ov.Core()
    cfg = {
        hints.performance_mode: hints.PerformanceMode.LATENCY,
        hints.inference_precision: ov.Type.f32,
        props.inference_num_threads: th,
    }
    reqs = {"orig": core.compile_model(core.read_model(xml), "CPU", cfg).create_infer_request()}
    for kind in KINDS:
        m = core.read_model(xml)
        print(kind, "rewrote", rows(m, kind))
        reqs[kind] = core.compile_model(m, "CPU", cfg).create_infer_request()
    x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
    outs = {k: next(iter(r.infer({0: x}).values())).copy() for k, r in reqs.items()}
    for k in reqs:
        print(k, "maxdiff vs orig", float(np.abs(outs[k] - outs["orig"]).max()))
    res = {k: [] for k in reqs}
    for _ in range(rounds):
        for k, rq in reqs.items():
            t = []
            for _ in range(n):
                t0 = time.perf_counter()
                rq.infer({0: x})
                t.append((time.perf_counter() - t0) * 1e3)
            res[k].append(statistics.median(t))
    for k, v in res.items():
        rat = [a / b for a, b in zip(res["orig"], v, strict=True)]
        print(
            f"{k:6s} median {statistics.median(v):7.3f} ms, range {min(v):.3f}-{max(v):.3f}, orig/this {min(rat):.2f}-{max(rat):.2f} (median {statistics.median(rat):.2f})"
        )
