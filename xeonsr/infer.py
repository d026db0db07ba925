"""PyTorch weights (the shipped ones by model and scale, or a file of the user's) and what runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xeonsr.shipped import shipped_weights, ships_for

BACKENDS = ("auto", "openvino", "torch")  # what Upscaler and `xeonsr upscale` take
PRECISIONS = ("auto", "int8", "bf16", "fp32")


def load_torch_model(model: str, scale: int, weights: str | Path | None = None):
    """The shipped (or given) weights for ``model`` at ``scale``, as an eval-mode module."""
    from xeonsr.checkpoint import WeightsError, load_weights, missing_weights
    from xeonsr.models import get_spec

    get_spec(model)  # unknown names fail here with the list of known ones
    path = Path(weights) if weights else shipped_weights(model, scale)
    if not path.is_file():
        if weights:
            raise missing_weights(path)
        raise WeightsError(
            f"no shipped weights for {model} x{scale} ({ships_for(model)}); train them with "
            f"`xeonsr train --model {model} --scale {scale}` and pass --weights"
        )
    return load_weights(path, model_name=model, scale=scale)


def model_and_scale(
    model: str | None, scale: int | None, weights, default_model: Callable[[int], str], ir_dir=None, backend=None
):
    """``model`` and ``scale`` as given; what was not given comes from the card of ``weights``
    (so your weights run as what they are), or from what IR store ``ir_dir`` holds (but for
    ``backend`` "torch", which refuse_mixed_sources refuses), else scale 3 and
    ``default_model(scale)``."""
    from xeonsr.protocol import check_scale

    if weights:  # read even when not needed: a missing or broken file is the first line, before any work
        from xeonsr.checkpoint import weights_card

        card = weights_card(weights)
        model, scale = model or card.get("model"), scale or card.get("scale")
    elif ir_dir and backend != "torch" and (model is None or scale is None):
        model, scale = store_model(model, scale, Path(ir_dir), default_model)
    scale = check_scale(scale or 3)
    return model or default_model(scale), scale


def store_model(model, scale, ir_dir: Path, default_model) -> tuple[str, int]:
    """The one model and scale store ``ir_dir`` holds that fit what was given (the defaults where
    it holds several and them): `xeonsr export --weights W --ir-dir D` then `--ir-dir D` alone
    ran the default model (PyTorch's shipped fsrcnn, or bicubic in `xeonsr eval`) unsaid."""
    from xeonsr.errors import UserError
    from xeonsr.irs import held_models, named_store

    held = held_models(named_store(ir_dir), model, scale)
    if len(held) == 1:
        return held[0]
    if not held and model is not None:
        return model, scale  # what runs it says the store lacks it (or that it runs no store)
    if not held:
        asked = f" for --scale {scale}" if scale else ""
        fp16 = held_models(ir_dir, model, scale, precisions=("fp16",))
        if fp16:  # a deployment's smaller file: the FP32 IR is what xeonsr runs and quantizes
            names = ", ".join(f"{m} x{s}" for m, s in fp16)
            raise UserError(f"{ir_dir} holds only FP16 IRs ({names}): `xeonsr export` without --fp16 makes the FP32 IR")
        raise UserError(f"{ir_dir} holds no IR{asked}: `xeonsr export --ir-dir` makes one")
    s = scale or 3
    if (model or default_model(s), s) in held:
        return model or default_model(s), s
    names = ", ".join(f"{m} x{s}" for m, s in held)
    raise UserError(f"{ir_dir} holds {names}: name one with --model and --scale")


def refuse_mixed_sources(backend: str | None, precision: str, weights, ir_dir) -> None:
    """One line for a request that names what two different runtimes run (`xeonsr eval`,
    `xeonsr upscale` and :class:`xeonsr.Upscaler` alike): an IR store goes to OpenVINO, weights
    and ``backend="torch"`` to PyTorch, INT8 only to OpenVINO."""
    from xeonsr.errors import UserError

    if ir_dir and (backend == "torch" or weights):
        raise UserError(
            "an IR store (--ir-dir) is what the openvino backend runs; PyTorch (--backend torch, --weights) runs "
            "weights: give one or the other"
        )
    if weights and (backend == "openvino" or precision == "int8"):
        raise UserError(
            "your weights run on PyTorch (FP32 or bf16); for OpenVINO or INT8, `xeonsr export --weights W "
            "--ir-dir D` (then `xeonsr quantize ... --ir-dir D`) and pass --ir-dir D"
        )
    if backend == "torch" and precision == "int8":
        raise UserError("INT8 is an OpenVINO IR: use the openvino backend")


def refuse_emulated_bf16(cpu, hint: str = "") -> None:
    """Emulated bf16 is several times slower than f32 and no more exact: never what a user wants."""
    from xeonsr.errors import UserError
    from xeonsr.info import onednn_cap

    if not cpu.native_bf16:
        has = bool(cpu.flags & {"avx512_bf16", "amx_bf16"})
        why = f"oneDNN is held to {onednn_cap()} by ONEDNN_MAX_CPU_ISA" if has else f"{cpu.model} has neither"
        raise UserError(f"bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX); {why}{hint}")


def choose_backend(model: str, scale: int, backend: str, precision: str, weights, ir_dir):
    """What ``Upscaler(backend=..., precision=...)`` runs: ("openvino" or "torch", "int8",
    "bf16" or "fp32", a one-line caveat for the user or None). "auto": the IR the store has for
    this CPU's class, INT8 first where the CPU gains from it; your weights run on PyTorch in FP32.
    "bf16": the FP32 IR (or PyTorch's weights) computed in bf16, on CPUs with native bf16 only."""
    from xeonsr.errors import UserError
    from xeonsr.info import cpu_info
    from xeonsr.irs import DOT_CLASSES, int8_entry, ir_stem, named_store, read_manifest, store_dir

    for name, value, allowed in (("backend", backend, BACKENDS), ("precision", precision, PRECISIONS)):
        if value not in allowed:
            raise UserError(f"{name} {value!r}: choose one of {', '.join(allowed)}")
    cpu = cpu_info()
    if precision == "bf16":
        refuse_emulated_bf16(cpu, ": use --precision fp32 or int8")
    refuse_mixed_sources(backend, precision, weights, ir_dir)
    if backend == "torch" or weights:
        return "torch", "bf16" if precision == "bf16" else "fp32", None
    from xeonsr.info import ir_precision_order

    have = read_manifest(named_store(ir_dir) if ir_dir else store_dir(ir_dir))["models"]
    int8 = int8_entry(have, model, scale, cpu.isa_class) or {}
    order = ir_precision_order(cpu, int8.get("target_isa")) if precision == "auto" else [precision]
    if precision == "auto" and cpu.native_bf16:
        from xeonsr.kernels import bf16_first

        if bf16_first(int8, have.get(ir_stem(model, scale, "fp32")), cpu):
            order = ["bf16", *order]  # tuned here: faster than the INT8 IR, and closer to FP32
    for prec in order:
        # bf16 is OpenVINO's bf16 inference precision on the FP32 IR
        if int8 if prec == "int8" else (ir_stem(model, scale, "fp32" if prec == "bf16" else prec) in have):
            caveat = None
            if prec == "int8" and int8.get("target_isa") in DOT_CLASSES and not cpu.int8_dot:
                made_for = int8["target_isa"].upper()
                caveat = (
                    f"the {model} x{scale} INT8 IR was made for {made_for} CPUs: without VNNI its kernels sum in "
                    "saturating int16 and it can lose more than its PSNR budget (docs/int8.md); "
                    "`xeonsr quantize --isa avx2` makes one for this CPU"
                )
            return "openvino", prec, caveat
    if backend == "openvino" or ir_dir:  # a store named is what the user wants run
        from xeonsr.irs import missing_ir_hint

        precs = list(dict.fromkeys("fp32" if p == "bf16" else p for p in order))
        where = f" in {ir_dir}" if ir_dir else ""
        hint = missing_ir_hint(model, scale, "fp32" if "fp32" in precs else precs[0], store_dir(ir_dir), have)
        raise UserError(f"no OpenVINO {'/'.join(precs)} IR for {model} x{scale}{where}; {hint}")
    return "torch", "bf16" if precision == "bf16" else "fp32", None
