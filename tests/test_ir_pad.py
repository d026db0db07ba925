"""The bicubic skip's symmetric padding as one Pad (xeonsr.ir_pad.one_pad): the same output to the
bit on a real image, ten nodes fewer, and nothing else taken for it."""

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR


def _shipped(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _run(model, x):
    from xeonsr.ov import compile_ir

    return compile_ir(model, 1)(x)[0]


def _count(model, kinds) -> int:
    return sum(op.get_type_name() in kinds for op in model.get_ordered_ops())


@pytest.mark.parametrize(
    "name", ["fsrcnn_x3_int8_avx2", "srcnn_x4_fp32", "dcscn_x2_int8_avx2", "fsrcnn-s_x2_fp32", "fsrcnn-s_x3_int8"]
)
def test_one_pad_is_the_stored_padding_to_the_bit(name, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_pad import one_pad

    stored, model = _shipped(name), _shipped(name)
    assert one_pad(model) == ["__module.upsample/aten::_convolution/Convolution"]
    assert one_pad(model) == []  # nothing left to rewrite
    assert _count(stored, {"Slice", "Concat"}) - _count(model, {"Slice", "Concat"}) == 10
    assert _count(model, {"Pad"}) == _count(stored, {"Pad"}) + 1
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr  # LR Y on 0..255
    for h, w in ((61, 37), (40, 52), (5, 6)):  # the mirrored rows and columns at each border
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        assert np.array_equal(_run(model, x), _run(stored, x))


def _mirror_model(first_start: int, pad: int = 2):
    """An image padded by mirrored Slices and Concats as torch traces it, then a 3x3 convolution;
    ``first_start`` 0 mirrors the edge row too (symmetric), 1 skips it (reflect)."""
    import openvino as ov

    from xeonsr.openvino_releases import opset

    ops = opset(13)

    def i64(v):
        return ops.constant(np.array([v], np.int64))

    def mirrored(x, axis):
        top = ops.slice(x, i64(first_start), i64(first_start + pad), i64(1), i64(axis))
        bottom = ops.slice(
            x, i64(-pad - first_start), i64(np.iinfo(np.int64).max if not first_start else -1), i64(1), i64(axis)
        )
        flip = [ops.slice(t, i64(-1), i64(np.iinfo(np.int32).min), i64(-1), i64(axis)) for t in (top, bottom)]
        return ops.concat([flip[0], x, flip[1]], axis)

    x = ops.parameter([1, 1, -1, -1], np.float32, "x")
    conv = ops.convolution(
        mirrored(mirrored(x, 2), 3), ops.constant(np.ones((1, 1, 3, 3), np.float32)), [1, 1], [0, 0], [0, 0], [1, 1]
    )
    conv.set_friendly_name("reader")
    return ov.Model([conv], [x])


def test_only_a_symmetric_padding_of_the_named_layers_is_taken():
    from xeonsr.ir_pad import one_pad

    x = np.random.default_rng(0).random((1, 1, 9, 7), dtype=np.float32)
    stored, model = _mirror_model(0), _mirror_model(0)
    assert one_pad(model, only={"another layer"}) == []
    assert one_pad(model, only={"reader"}) == ["reader"]
    assert np.array_equal(_run(model, x), _run(stored, x))
    sym = np.pad(x[0, 0], 2, mode="symmetric")
    want = sum(sym[i : i + 11, j : j + 9] for i in range(3) for j in range(3))  # 'valid' 3x3
    assert np.allclose(_run(model, x)[0, 0], want, atol=1e-5)  # what symmetric padding means
    assert one_pad(_mirror_model(1)) == []  # a reflect padding (edge row not repeated) is not this
