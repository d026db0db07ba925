"""PyTorch -> OpenVINO IR with dynamic batch, height and width, and the manifest beside it.

The IR's input is ``lr`` (N, 1, h, w) Y on [0, 1], its output ``sr`` (N, 1, s*h, s*w).
FSRCNN's stride-s deconvolution is rewritten before conversion as the exact convolution +
pixel shuffle of xeonsr.models.fsrcnn.DeployFSRCNN (2-4x faster in OpenVINO).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from xeonsr.fileio import atomic_write_text, make_folder
from xeonsr.irs import (
    IN_CHECKOUT,
    INPUT_NAME,
    INT8_CLASSES,
    OUTPUT_NAME,
    SHIPPED_IR_DIR,
    USER_IR_DIR,
    IRError,
    drop_from_manifest,
    int8_stem,
    ir_stem,
    is_shipped,
    manifest_entry,
    read_manifest,
    save_ir,
    sha256,
    update_manifest,
)


def convert(model):
    """torch module -> openvino.Model of its deploy form (see convert_module)."""
    from xeonsr.models import deploy_form

    return convert_module(deploy_form(model))


def convert_module(module):
    """torch module as it is -> openvino.Model with dynamic N, H, W and named input/output."""
    import openvino as ov
    import torch

    example = torch.rand(1, 1, 24, 24)
    with torch.no_grad():
        ov_model = ov.convert_model(module, example_input=example, input=[ov.PartialShape([-1, 1, -1, -1])])
    ov_model.inputs[0].get_tensor().set_names({INPUT_NAME})
    ov_model.outputs[0].get_tensor().set_names({OUTPUT_NAME})
    return ov_model


def export_dir(weights: str | None, ir_dir: str | Path | None) -> Path:
    """Where an export goes: the store asked for; else the shipped store for the shipped
    weights in a checkout, the user store for anything else. Your own weights never go
    into the shipped store."""
    if ir_dir is None:
        return SHIPPED_IR_DIR if weights is None and IN_CHECKOUT else USER_IR_DIR
    ir_dir = Path(ir_dir)
    if weights is not None and is_shipped(ir_dir):
        raise IRError(
            f"{ir_dir} holds the shipped IRs: a model of your own goes to a store of its own "
            f"(--ir-dir DIR, default {USER_IR_DIR})"
        )
    return ir_dir


def export(
    model_name: str,
    scale: int,
    weights: str | None = None,
    ir_dir: str | Path | None = None,
    fp16: bool = False,
    data_dir: str | None = None,
    overwrite: bool = False,
) -> dict:
    """Convert the shipped (or given) weights and register the IR with its measured PSNR. An IR
    the store holds of other weights of yours is replaced only with ``overwrite``."""
    from xeonsr.infer import load_torch_model
    from xeonsr.models import count_flops

    ir_dir = export_dir(weights, ir_dir)
    model, card = load_torch_model(model_name, scale, weights)
    precision = "fp16" if fp16 else "fp32"
    stem = ir_stem(model_name, scale, precision)
    held = read_manifest(ir_dir)["models"].get(stem, {})
    source = _weights_source(weights, model_name, scale)
    if held and not overwrite and _other_weights(held, source, weights):
        raise IRError(
            f"{ir_dir} holds {model_name} x{scale} exported from {held.get('weights')}: --overwrite replaces it "
            "(and the INT8 IRs made from it), --ir-dir DIR gives these weights a store of their own"
        )
    before = held.get("bin_sha256")
    xml, bin_ = save_ir(convert(model), ir_dir, stem, compress_to_fp16=fp16)
    if precision == "fp32" and before is not None and sha256(bin_) != before:
        # The INT8 IR was quantized from the FP32 weights just replaced: it no longer matches.
        dropped = [drop_from_manifest(int8_stem(model_name, scale, isa), ir_dir) for isa in INT8_CLASSES]
        if any(dropped):
            print(
                f"removed the INT8 IR of {model_name} x{scale} (made from the FP32 IR just replaced); "
                f"run `xeonsr quantize --model {model_name} --scale {scale}`"
            )
    extra = {
        **source,
        "model_args": card["model_args"],
        # LR pixels an output pixel depends on: how far tiles must overlap (without torch).
        "receptive_radius": int(getattr(model, "receptive_radius", 0)),
        "flops_per_lr_pixel": count_flops(model),  # for the bench's GFLOP/s without torch
        "ov_inference_precision": "f32",
    }
    extra["psnr"] = measure_psnr(xml, scale, data_dir)
    entry = manifest_entry(stem, model_name, scale, precision, xml, bin_, extra)
    update_manifest(entry, ir_dir)
    return entry


def _weights_source(weights, model_name: str, scale: int) -> dict:
    """The manifest's record of what an IR was exported from: your file by its full path (QAT
    finds it from any folder) and its hash, or the shipped weights."""
    if weights is None:
        return {"weights": f"xeonsr/weights/{model_name}_x{scale}.safetensors"}
    return {"weights": str(Path(weights).resolve()), "weights_sha256": sha256(Path(weights))}


def _other_weights(held: dict, source: dict, weights) -> bool:
    """Whether the store's IR came from other weights than these (the shipped ones re-exported
    over their own IR never count: a retrained release replaces it)."""
    if held.get("weights_sha256") and source.get("weights_sha256"):
        return held["weights_sha256"] != source["weights_sha256"]
    return held.get("weights") not in (str(weights), source["weights"])  # stores written before the hash


def measure_psnr(xml: Path, scale: int, data_dir: str | None) -> dict:
    """Set5/Set14 mean PSNR of an IR by the protocol (empty when the datasets are absent)."""
    from xeonsr.data import DatasetError, find_dataset
    from xeonsr.evaluate import evaluate, load_samples
    from xeonsr.ov import compile_ir
    from xeonsr.runtime import ov_run, plane_fn

    out = {}
    compiled = compile_ir(xml)
    for ds in ("Set5", "Set14"):
        try:
            folder = find_dataset(ds, data_dir)
        except DatasetError:
            continue
        res = evaluate(plane_fn(ov_run(compiled, scale)), load_samples(folder, scale), scale, with_ssim=False)
        out[ds] = round(res["mean_psnr"], 3)
    return out


def ovms_layout(out_dir: Path, ir_dir: Path = SHIPPED_IR_DIR, overwrite: bool = False) -> Path:
    """OpenVINO Model Server repository of what a store holds (verified, nothing re-exported):
    out_dir/<name>/1/model.xml|bin + config.json. Models the repository holds already stay in its
    config (a second store laid out beside the first dropped the first's); one of the same name
    but other weights is replaced only with ``overwrite``."""
    from xeonsr.irs import verified

    man = read_manifest(ir_dir)["models"]
    if not man:
        raise IRError(f"no IR in {ir_dir}/manifest.json to lay out")
    held = out_dir / "config.json"
    try:
        kept = json.loads(held.read_text())["model_config_list"] if held.is_file() else []
    except (ValueError, KeyError, TypeError):
        raise IRError(f"{held}: not an OpenVINO Model Server config; lay out into another folder") from None
    other = [
        name
        for name, entry in man.items()
        if (out_dir / name / "1" / "model.bin").is_file()
        and sha256(out_dir / name / "1" / "model.bin") != entry["bin_sha256"]
    ]
    if other and not overwrite:
        raise IRError(f"{out_dir} holds other IRs named {', '.join(other)}: --overwrite replaces them")
    config = {"model_config_list": [c for c in kept if c.get("config", {}).get("name") not in man]}
    for name, entry in man.items():
        verified(ir_dir, entry)
        dest = out_dir / name / "1"
        make_folder(dest)
        shutil.copyfile(ir_dir / entry["xml"], dest / "model.xml")
        shutil.copyfile(ir_dir / entry["bin"], dest / "model.bin")
        config["model_config_list"].append({"config": {"name": name, "base_path": f"/models/{name}"}})
    atomic_write_text(held, json.dumps(config, indent=2) + "\n")
    return held
