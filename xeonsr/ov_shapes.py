"""OpenVINO networks compiled for one input shape, beside the dynamic one every IR compiles to.

Some exact forms pay only where the shapes are fixed when the network is compiled
(xeonsr.ir_forms.STATIC_FORMS: OpenVINO 2026.4.1 splits and concatenates in place only then). A
shape gets a network of its own when it comes back among the last :data:`KEEP` shapes seen: a
folder of one size, the tiles of a large image and a benchmark's repeats run the faster form from
their second image on, while a folder of mixed sizes, run once or over and over, never waits for a
compile (its shapes run on the dynamic network). The last :data:`KEEP` networks are kept, shared by
every thread's run function; each thread has requests of its own (a request serves one call at a
time). xeonsr.runtime builds them for one-stream runners only (the reason is there).

Where no shape gets a network of its own, an IR whose pixel shuffle is slow at some sizes
(xeonsr.ir_shuffle) gets a second dynamic network for those sizes: :class:`AliasingShapes`."""

from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

KEEP = 4  # shapes with a network of their own (an image's even tiles take one to four); each compile ~70-90 ms
# Input pixels (N x H x W) a shape may have to get a network of its own: each holds its buffers for
# its shape beside the dynamic network's (SRCNN x3 FP32: 390-403 bytes per output pixel, 390 MB at
# 333x333 LR; benchmarks/probes/shape_network_memory.py). Upscaler's tiles (256 LR pixels and the
# halo) are well under it.
MOST_PIXELS = 1 << 17


class ShapeNetworks:
    """The dynamic compiled network and, for shapes that come back, one compiled for each."""

    def __init__(
        self, dynamic, compile_for: Callable[[tuple[int, ...]], object], keep: int = KEEP, scale: int | None = None
    ):
        self.dynamic = dynamic
        self.scale = scale  # the networks' upscaling factor: calls without copies (xeonsr.ov.infer_fn)
        self.compile_for = compile_for  # (N, C, H, W) -> a compiled network for that shape only
        self.keep, self.most_pixels = keep, MOST_PIXELS
        self._lock = threading.Lock()
        self._own: OrderedDict[tuple[int, ...], object] = OrderedDict()  # shape -> its network
        self._recent: OrderedDict[tuple[int, ...], None] = OrderedDict()  # the last shapes run dynamic
        self._compiling: set[tuple[int, ...]] = set()
        self._failed: set[tuple[int, ...]] = set()  # shapes whose compile raised: dynamic from then on

    def network(self, shape: tuple[int, ...]):
        """The network a call of input ``shape`` runs on: its own if it has one, else compiled now
        if the shape ran among the last :attr:`keep` shapes, else (or past :data:`MOST_PIXELS`)
        the dynamic one. One thread compiles a shape; the others run it on the dynamic network
        meanwhile, and nobody waits. A compile that fails (a static form's bug, memory) costs a
        warning, not the image: that shape runs on the dynamic network from then on."""
        if int(np.prod(shape)) > self.most_pixels:
            return self.dynamic
        with self._lock:
            own = self._own.get(shape)
            if own is not None:
                self._own.move_to_end(shape)
                return own
            if shape in self._compiling or shape in self._failed:
                return self.dynamic
            if shape not in self._recent:
                self._recent[shape] = None
                while len(self._recent) > self.keep:
                    self._recent.popitem(last=False)
                return self.dynamic
            del self._recent[shape]
            self._compiling.add(shape)
        try:
            own = self.compile_for(shape)
        except Exception as e:  # the dynamic network still runs this shape
            warnings.warn(f"input shape {shape}: its own network did not compile ({e}); runs dynamic", stacklevel=2)
            with self._lock:
                self._failed.add(shape)
            own = None
        finally:
            with self._lock:
                self._compiling.discard(shape)
        if own is None:
            return self.dynamic
        with self._lock:
            self._own[shape] = own
            while len(self._own) > self.keep:
                self._own.popitem(last=False)
        return own

    def shapes(self) -> list[tuple[int, ...]]:
        """The shapes with a network of their own now, least recently used first."""
        with self._lock:
            return list(self._own)

    def run_fn(self) -> Callable[[np.ndarray], np.ndarray]:
        """A run function for one thread: (N, 1, h, w) float32 -> the network's output."""
        from xeonsr.ov import infer_fn

        dynamic = infer_fn(self.dynamic.create_infer_request(), self.scale)
        held: dict[tuple[int, ...], tuple[object, object]] = {}  # shape -> (network, this thread's call)

        def run(x: np.ndarray) -> np.ndarray:
            x = np.ascontiguousarray(x, dtype=np.float32)
            shape = tuple(x.shape)
            net = self.network(shape)
            if net is self.dynamic:
                request = dynamic
            else:
                mine = held.get(shape)
                if mine is None or mine[0] is not net:
                    if len(held) >= self.keep:  # requests of networks since dropped go with them
                        held.clear()
                    mine = held[shape] = (net, infer_fn(net.create_infer_request(), self.scale))
                request = mine[1]
            return request(x)

        return run


class AliasingShapes:
    """The dynamic network, and for inputs whose planes alias (xeonsr.ir_shuffle.planes_alias) the
    same graph with its pixel shuffle as one DepthToSpace, compiled when the first such input comes
    (once; a compile that fails costs a warning and those inputs run the stored form). On a Zen 4,
    over the seven Set5/Set14 x4 LR planes that alias: FSRCNN x4 INT8 1.12-1.20x, FSRCNN-s x4 INT8
    1.13-1.24x, FSRCNN-s FP32 1.02-1.09x, FSRCNN FP32 0.98-1.04x; at sizes that do not alias the
    DepthToSpace form ran 0.94-0.98x, so it runs only those (docs/performance.md, session 64)."""

    def __init__(self, dynamic, compile_other: Callable[[], object], scale: int | None = None):
        self.dynamic, self.scale = dynamic, scale
        self._compile_other = compile_other
        self._lock = threading.Lock()
        self._other = None
        self._failed = False

    def other(self):
        """The DepthToSpace network (the dynamic one where it did not compile)."""
        with self._lock:  # one compile; a thread that comes meanwhile waits for it
            if self._other is None and not self._failed:
                try:
                    self._other = self._compile_other()
                except Exception as e:  # the stored form still runs every shape
                    warnings.warn(f"the pixel shuffle as DepthToSpace did not compile ({e}); runs stored", stacklevel=2)
                    self._failed = True
            return self.dynamic if self._other is None else self._other

    def run_fn(self) -> Callable[[np.ndarray], np.ndarray]:
        """A run function for one thread: (N, 1, h, w) float32 -> the network's output."""
        from xeonsr.ir_shuffle import planes_alias
        from xeonsr.ov import infer_fn

        stored = infer_fn(self.dynamic.create_infer_request(), self.scale)
        other = None

        def run(x: np.ndarray) -> np.ndarray:
            nonlocal other
            if not planes_alias(x.shape):
                return stored(x)
            if other is None:
                other = infer_fn(self.other().create_infer_request(), self.scale)
            return other(x)

        return run


def shape_networks(
    source, formed, dynamic, forms_class: str, inference_precision: str, kernels, settings: dict, scale=None
):
    """A :class:`ShapeNetworks` for the IR ``source`` (as read, before any form), ``formed`` (in
    the class's host forms) and ``dynamic`` (that compiled), or None where no static form would
    rewrite it on this CPU class: the dynamic network is then as fast. ``settings``: the rest of
    xeonsr.ov.compile_ir's arguments (threads, streams), the same for each shape; ``scale``: the
    network's upscaling factor (calls without copies)."""
    from xeonsr.ir_forms import static_forms_apply
    from xeonsr.ov import compile_ir

    if not static_forms_apply(formed, forms_class):
        return None

    def compile_for(shape: tuple[int, ...]):
        graph, _ = for_shape(source, shape, forms_class, inference_precision, kernels)
        # Never into the model cache on disk: OpenVINO keeps every entry, and sizes are unbounded.
        own = {**settings, "cache": False}
        return compile_ir(graph, inference_precision=inference_precision, kernels=kernels, **own)

    return ShapeNetworks(dynamic, compile_for, scale=scale)


def aliasing_shapes(
    source, formed, dynamic, forms_class: str, inference_precision: str, kernels, settings: dict, scale=None
):
    """An :class:`AliasingShapes` for the IR ``source`` (as read), ``formed`` (in the class's host
    forms) and ``dynamic`` (that compiled), or None where its output's pixel shuffle does not move
    16-64 phases (xeonsr.ir_shuffle.slow_shuffle). The other arguments as :func:`shape_networks`'."""
    from xeonsr.ir_forms import host_forms
    from xeonsr.ir_shuffle import as_depth_to_space, slow_shuffle
    from xeonsr.ov import compile_ir

    if not slow_shuffle(formed):
        return None

    def compile_other():
        graph = source.clone()
        host_forms(graph, forms_class, inference_precision, kernels)
        as_depth_to_space(graph, last_only=True)
        return compile_ir(graph, inference_precision=inference_precision, kernels=kernels, **settings)

    return AliasingShapes(dynamic, compile_other, scale)


def for_shape(source, shape: tuple[int, ...], forms_class: str, inference_precision: str = "f32", kernels=None):
    """``source`` (an IR as read) reshaped to the input ``shape`` (N, 1, h, w), in the host forms
    and then the static forms of ``forms_class``: (the graph a shape's own network compiles, the
    layers rewritten)."""
    import openvino as ov

    from xeonsr.ir_forms import host_forms

    graph = source.clone()
    # The forms match the graph as stored, dynamic (static shapes would let forms meant for other
    # graphs in, xeonsr.ir_concat's sums among them); the shape is fixed after them.
    done = host_forms(graph, forms_class, inference_precision, kernels, lr_size=tuple(shape[2:]), static=True)
    graph.reshape({graph.inputs[0]: ov.PartialShape(list(shape))})
    return graph, done
