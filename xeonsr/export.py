"""PyTorch -> OpenVINO IR with dynamic batch, height and width, and the manifest beside it.

The IR's input is ``lr`` (N, 1, h, w) Y on [0, 1], its output ``sr`` (N, 1, s*h, s*w).
FSRCNN's stride-s deconvolution is rewritten before conversion as the exact convolution +
pixel shuffle of xeonsr.models.fsrcnn.DeployFSRCNN (2-4x faster in OpenVINO).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text

REPO_ROOT = Path(__file__).resolve().parents[1]
# A checkout (editable install) keeps the IRs it ships in <repo>/openvino_models; an installed
# wheel has no such folder, so IRs it builds go to the user's data folder, never site-packages.
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()
USER_DATA = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "xeonsr"
DEFAULT_IR_DIR = Path(
    os.environ.get("XEONSR_IR_DIR", REPO_ROOT / "openvino_models" if IN_CHECKOUT else USER_DATA / "openvino_models")
)
INPUT_NAME, OUTPUT_NAME = "lr", "sr"


class IRError(UserError):
    pass


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ir_stem(model: str, scale: int, precision: str) -> str:
    return f"{model}_x{scale}_{precision}"


def deploy_form(model):
    """A copy of ``model`` in its fastest exact form (DeployFSRCNN, DeploySRCNN)."""
    from xeonsr.models.fsrcnn import FSRCNN, DeployFSRCNN
    from xeonsr.models.srcnn import SRCNN, DeploySRCNN

    model = copy.deepcopy(model).eval().float()
    if isinstance(model, FSRCNN):
        model = DeployFSRCNN(model)
    elif isinstance(model, SRCNN):
        model = DeploySRCNN(model)
    return model


def convert(model):
    """torch module -> openvino.Model with dynamic N, H, W and named input/output."""
    import openvino as ov
    import torch

    example = torch.rand(1, 1, 24, 24)
    with torch.no_grad():
        ov_model = ov.convert_model(deploy_form(model), example_input=example, input=[ov.PartialShape([-1, 1, -1, -1])])
    ov_model.inputs[0].get_tensor().set_names({INPUT_NAME})
    ov_model.outputs[0].get_tensor().set_names({OUTPUT_NAME})
    return ov_model


def save_ir(ov_model, out_dir: Path, stem: str, compress_to_fp16: bool = False) -> tuple[Path, Path]:
    """Write <stem>.xml/.bin atomically (both land, or neither changes)."""
    import openvino as ov

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        ov.save_model(ov_model, str(Path(tmp) / f"{stem}.xml"), compress_to_fp16=compress_to_fp16)
        xml, bin_ = out_dir / f"{stem}.xml", out_dir / f"{stem}.bin"
        os.replace(Path(tmp) / f"{stem}.bin", bin_)
        os.replace(Path(tmp) / f"{stem}.xml", xml)
    return xml, bin_


def read_manifest(ir_dir: Path = DEFAULT_IR_DIR) -> dict:
    path = ir_dir / "manifest.json"
    if not path.exists():
        return {"models": {}}
    return json.loads(path.read_text())


def _write_manifest(man: dict, ir_dir: Path) -> None:
    man["models"] = dict(sorted(man["models"].items()))
    atomic_write_text(ir_dir / "manifest.json", json.dumps(man, indent=2) + "\n")


def update_manifest(entry: dict, ir_dir: Path = DEFAULT_IR_DIR) -> None:
    man = read_manifest(ir_dir)
    man["models"][entry["name"]] = entry
    _write_manifest(man, ir_dir)


def drop_from_manifest(name: str, ir_dir: Path = DEFAULT_IR_DIR) -> bool:
    """Remove an IR's manifest entry, then its files (a reader never sees an entry without files)."""
    man = read_manifest(ir_dir)
    entry = man["models"].pop(name, None)
    if entry is None:
        return False
    _write_manifest(man, ir_dir)
    for key in ("xml", "bin"):
        (ir_dir / entry[key]).unlink(missing_ok=True)
    return True


def manifest_entry(
    name: str, model: str, scale: int, precision: str, xml: Path, bin_: Path, extra: dict | None = None
) -> dict:
    from xeonsr.evaluate import versions

    return {
        "name": name,
        "model": model,
        "scale": scale,
        "precision": precision,
        "xml": xml.name,
        "bin": bin_.name,
        "bin_sha256": sha256(bin_),
        "input": {"name": INPUT_NAME, "layout": "NCHW", "shape": "[N, 1, h, w] (dynamic N, h, w)"},
        "output": {"name": OUTPUT_NAME, "layout": "NCHW", "shape": f"[N, 1, {scale}h, {scale}w]"},
        "value_range": [0.0, 1.0],
        "colour": "Y of BT.601 YCbCr (studio swing) / 255",
        "versions": versions(),
        **(extra or {}),
    }


def _int8_refusal(model: str, scale: int) -> str | None:
    """Why `xeonsr quantize` wrote no INT8 IR for ``model`` x``scale`` (from its report), if it refused."""
    from xeonsr.quantization import REPORTS

    path = REPORTS / f"{ir_stem(model, scale, 'int8')}.json"
    try:
        status = json.loads(path.read_text()).get("status", "ok")
    except (OSError, ValueError):
        return None
    return None if status == "ok" else f"`xeonsr quantize` refused it ({status.split(': no INT8')[0]}; {path})"


def locate_ir(model: str, scale: int, precision: str, ir_dir: Path = DEFAULT_IR_DIR) -> tuple[Path, dict]:
    """The verified .xml of a manifest entry; refuses missing, edited or mismatched files."""
    name = ir_stem(model, scale, precision)
    entry = read_manifest(ir_dir)["models"].get(name)
    if entry is None and precision == "int8" and ir_dir == DEFAULT_IR_DIR:
        refused = _int8_refusal(model, scale)
        if refused:
            raise IRError(f"no int8 IR for {model} x{scale}: {refused}; use the fp32 IR")
    if entry is None:
        hint = (
            f"xeonsr quantize --model {model} --scale {scale}"
            if precision == "int8"
            else f"xeonsr export --model {model} --scale {scale}"
        )
        raise IRError(f"no {precision} IR for {model} x{scale} in {ir_dir}/manifest.json; make it with `{hint}`")
    xml, bin_ = ir_dir / entry["xml"], ir_dir / entry["bin"]
    for p in (xml, bin_):
        if not p.is_file():
            raise IRError(f"{p}: missing (listed in {ir_dir}/manifest.json)")
    if sha256(bin_) != entry["bin_sha256"]:
        raise IRError(f"{bin_}: sha256 differs from the manifest: the file was changed or corrupted; re-export it")
    if entry.get("model") != model or entry.get("scale") != scale:
        raise IRError(f"{xml}: manifest says {entry.get('model')} x{entry.get('scale')}")
    return xml, entry


def export(
    model_name: str,
    scale: int,
    weights: str | None = None,
    ir_dir: Path = DEFAULT_IR_DIR,
    fp16: bool = False,
    data_dir: str | None = None,
) -> dict:
    """Convert the shipped (or given) weights and register the IR with its measured PSNR."""
    from xeonsr.infer import load_torch_model

    model, card = load_torch_model(model_name, scale, weights)
    precision = "fp16" if fp16 else "fp32"
    stem = ir_stem(model_name, scale, precision)
    before = read_manifest(ir_dir)["models"].get(stem, {}).get("bin_sha256")
    xml, bin_ = save_ir(convert(model), ir_dir, stem, compress_to_fp16=fp16)
    if precision == "fp32" and before is not None and sha256(bin_) != before:
        # The INT8 IR was quantized from the FP32 weights just replaced: it no longer matches.
        if drop_from_manifest(ir_stem(model_name, scale, "int8"), ir_dir):
            print(
                f"removed the INT8 IR of {model_name} x{scale} (made from the previous weights); "
                f"run `xeonsr quantize --model {model_name} --scale {scale}`"
            )
    extra = {
        "weights": str(weights) if weights else f"xeonsr/weights/{model_name}_x{scale}.safetensors",
        "model_args": card["model_args"],
        # LR pixels an output pixel depends on: how far tiles must overlap (without torch).
        "receptive_radius": int(getattr(model, "receptive_radius", 0)),
        "ov_inference_precision": "f32",
    }
    extra["psnr"] = measure_psnr(xml, scale, data_dir)
    entry = manifest_entry(stem, model_name, scale, precision, xml, bin_, extra)
    update_manifest(entry, ir_dir)
    return entry


def measure_psnr(xml: Path, scale: int, data_dir: str | None) -> dict:
    """Set5/Set14 mean PSNR of an IR by the protocol (empty when the datasets are absent)."""
    from xeonsr.data import DatasetError, find_dataset
    from xeonsr.evaluate import evaluate, load_samples
    from xeonsr.ov import compile_ir, ov_upscale_fn

    out = {}
    compiled = compile_ir(xml)
    for ds in ("Set5", "Set14"):
        try:
            folder = find_dataset(ds, data_dir)
        except DatasetError:
            continue
        res = evaluate(ov_upscale_fn(compiled), load_samples(folder, scale), scale, with_ssim=False)
        out[ds] = round(res["mean_psnr"], 3)
    return out


def ovms_layout(out_dir: Path, ir_dir: Path = DEFAULT_IR_DIR) -> Path:
    """OpenVINO Model Server repository: out_dir/<name>/1/model.xml|bin + config.json."""
    man = read_manifest(ir_dir)["models"]
    if not man:
        raise IRError(f"no IR in {ir_dir}/manifest.json to lay out")
    config = {"model_config_list": []}
    for name, entry in man.items():
        dest = out_dir / name / "1"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ir_dir / entry["xml"], dest / "model.xml")
        shutil.copyfile(ir_dir / entry["bin"], dest / "model.bin")
        config["model_config_list"].append({"config": {"name": name, "base_path": f"/models/{name}"}})
    atomic_write_text(out_dir / "config.json", json.dumps(config, indent=2) + "\n")
    return out_dir / "config.json"
