"""The IR store: folders of OpenVINO IRs with a manifest, verified before use.

A store is a folder of ``<model>_x<scale>_<precision>.xml/.bin`` and ``manifest.json`` (one
entry per IR: model, scale, precision, sha256 of both files, input/output, PSNR, receptive
radius). INT8 comes in one IR per CPU class it was made for (its entry's ``target_isa``):
``_int8`` for VNNI, ``_int8_amx`` for AMX (signed activations without zero points, which
OpenVINO's AMX kernels need), ``_int8_avx2`` for AVX2 without VNNI, whose kernels sum pairs of
products in saturating int16 (docs/int8.md); readers get the one for the CPU they run on.
Two kinds of store, kept apart:

- the shipped store, ``xeonsr/openvino_models`` inside the package (so a wheel carries it);
  only the shipped weights are ever exported into it, and only from a checkout;
- user stores: your own models' IRs, by default ``$XEONSR_IR_DIR`` or
  ``~/.local/share/xeonsr/openvino_models``, or any folder given as ``--ir-dir``.

This module reads and writes stores and nothing else: no torch, no OpenVINO.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text, make_folder

SHIPPED_IR_DIR = Path(__file__).resolve().parent / "openvino_models"
REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()  # an editable install of the repository
USER_DATA = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "xeonsr"
USER_IR_DIR = Path(os.environ.get("XEONSR_IR_DIR") or USER_DATA / "openvino_models")
# Quantization reports of the shipped INT8 IRs (a checkout's); a wheel writes to the user's.
REPORTS = REPO_ROOT / "quantize" / "reports" if IN_CHECKOUT else USER_DATA / "quantize_reports"
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


INT8_CLASSES = ("vnni", "amx", "avx2")
DOT_CLASSES = ("vnni", "amx")  # int8 products summed in int32: 8-bit weights, budgets checked on such a CPU
# The IR a class runs where the store has none of its own: an AMX CPU runs the VNNI IR (the
# same integer sums; the AMX one only where it was faster, docs/int8.md), a VNNI CPU the AMX
# one, an AVX2 CPU either with the caveat xeonsr.infer gives.
FALLBACK = {"vnni": ("vnni", "amx", "avx2"), "amx": ("amx", "vnni", "avx2"), "avx2": ("avx2", "vnni", "amx")}


def int8_stem(model: str, scale: int, isa: str) -> str:
    """The INT8 IR made for CPU class ``isa``; the VNNI one keeps the plain name older stores use."""
    return ir_stem(model, scale, "int8") + ("" if isa == "vnni" else f"_{isa}")


def named_store(ir_dir: str | Path) -> Path:
    """A store the user named (--ir-dir): it must exist, since read_manifest reads a missing
    folder as an empty store, and a mistyped name then ran something else unsaid."""
    ir_dir = Path(ir_dir)
    if not ir_dir.is_dir():
        raise IRError(f"{ir_dir}: no such IR store (the folder `xeonsr export --ir-dir` writes)")
    return ir_dir


def held_models(ir_dir: Path, model=None, scale=None, precisions=("fp32", "int8")) -> list[tuple[str, int]]:
    """The (model, scale) pairs store ``ir_dir`` has an IR of (one of ``precisions``) for,
    those of ``model`` / ``scale`` where given."""
    entries = read_manifest(ir_dir)["models"].values()
    return sorted(
        {
            (e["model"], e["scale"])
            for e in entries
            if e.get("precision") in precisions and model in (None, e["model"]) and scale in (None, e["scale"])
        }
    )


def int8_entry(models: dict, model: str, scale: int, isa: str | None = None) -> dict | None:
    """A store's INT8 IR of ``model`` x``scale`` for CPU class ``isa`` (default: this CPU's): the
    one made for that class, else the next of :data:`FALLBACK` (then ``target_isa`` says so)."""
    if isa is None:
        from xeonsr.info import cpu_info

        isa = cpu_info().isa_class
    found = [e for e in (models.get(int8_stem(model, scale, c)) for c in FALLBACK.get(isa, INT8_CLASSES)) if e]
    return found[0] if found else None


def store_dir(ir_dir: str | Path | None) -> Path:
    """The store to read: the one given, else the shipped store."""
    return Path(ir_dir) if ir_dir else SHIPPED_IR_DIR


def is_shipped(ir_dir: Path) -> bool:
    return ir_dir.resolve() == SHIPPED_IR_DIR


def read_manifest(ir_dir: Path = SHIPPED_IR_DIR) -> dict:
    path = ir_dir / "manifest.json"
    if ir_dir.exists() and not ir_dir.is_dir():
        raise IRError(f"{ir_dir}: a file, not an IR store (the folder `xeonsr export --ir-dir` writes)")
    if not path.exists():
        return {"models": {}}
    try:
        man = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise IRError(f"{path}: not a readable manifest ({e})") from None
    if not isinstance(man, dict) or not isinstance(man.get("models"), dict):
        raise IRError(f"{path}: not an xeonsr IR manifest (no 'models')")
    return man


def _write_manifest(man: dict, ir_dir: Path) -> None:
    man["models"] = dict(sorted(man["models"].items()))
    atomic_write_text(ir_dir / "manifest.json", json.dumps(man, indent=2) + "\n")


@contextlib.contextmanager
def _manifest_lock(ir_dir: Path):
    """One writer at a time: two `xeonsr quantize` runs into one store would otherwise each
    read the manifest, add their entry and write, and the later write would drop the other's."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one writer at a time is up to you
        yield
        return
    make_folder(ir_dir)
    with open(ir_dir / ".manifest.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def update_manifest(entry: dict, ir_dir: Path) -> None:
    with _manifest_lock(ir_dir):
        man = read_manifest(ir_dir)
        man["models"][entry["name"]] = entry
        _write_manifest(man, ir_dir)


def set_kernel_plan(name: str, key: str, plan: dict, ir_dir: Path) -> None:
    """Record a measured kernel plan (xeonsr.kernels) in an entry, under the manifest's lock."""
    with _manifest_lock(ir_dir):
        man = read_manifest(ir_dir)
        entry = man["models"].get(name)
        if entry is None:
            raise IRError(f"{name}: not in {ir_dir}/manifest.json")
        entry.setdefault("kernels", {})[key] = plan
        _write_manifest(man, ir_dir)


def drop_from_manifest(name: str, ir_dir: Path) -> bool:
    """Remove an IR's manifest entry, then its files (a reader never sees an entry without files)."""
    with _manifest_lock(ir_dir):
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
    from xeonsr.installed import versions

    return {
        "name": name,
        "model": model,
        "scale": scale,
        "precision": precision,
        "xml": xml.name,
        "bin": bin_.name,
        "xml_sha256": sha256(xml),
        "bin_sha256": sha256(bin_),
        "input": {"name": INPUT_NAME, "layout": "NCHW", "shape": "[N, 1, h, w] (dynamic N, h, w)"},
        "output": {"name": OUTPUT_NAME, "layout": "NCHW", "shape": f"[N, 1, {scale}h, {scale}w]"},
        "value_range": [0.0, 1.0],
        "colour": "Y of BT.601 YCbCr (studio swing) / 255",
        "versions": versions(),
        **(extra or {}),
    }


def int8_refusal(model: str, scale: int) -> str | None:
    """Why `xeonsr quantize` wrote no shipped INT8 IR for ``model`` x``scale`` (its reports say)."""
    for isa in INT8_CLASSES:
        path = REPORTS / f"{int8_stem(model, scale, isa)}.json"
        try:
            status = json.loads(path.read_text()).get("status", "ok")
        except (OSError, ValueError):
            continue
        if status != "ok":
            return f"`xeonsr quantize` refused it ({status.split(': no INT8')[0]}; {path})"
    return None


def missing_ir_hint(model: str, scale: int, precision: str, ir_dir: Path, models: dict) -> str:
    """The commands that make a store's missing IR, from what is at hand: its FP32 IR (INT8 is
    quantized from it), else the shipped weights, else weights the user trains first."""
    from xeonsr.shipped import shipped_weights, ships_for

    store = "" if is_shipped(ir_dir) else f" --ir-dir {ir_dir}"
    steps = [f"xeonsr quantize --model {model} --scale {scale}{store}"] if precision == "int8" else []
    trains = False
    if precision != "int8" or ir_stem(model, scale, "fp32") not in models:
        trains = not shipped_weights(model, scale).is_file()
        source = "--weights YOUR_WEIGHTS" if trains else f"--model {model} --scale {scale}"
        steps.insert(0, f"xeonsr export {source}{store}")
        if trains:
            steps.insert(0, f"xeonsr train --model {model} --scale {scale}")
    make = "make it with " + ", then ".join(f"`{c}`" for c in steps)
    return f"{ships_for(model)}, so {make}" if trains else make


def locate_ir(
    model: str, scale: int, precision: str, ir_dir: str | Path | None = None, isa: str | None = None
) -> tuple[Path, dict]:
    """The verified .xml of a store's entry; refuses missing, edited or mismatched files.
    INT8: the IR made for CPU class ``isa`` (default: this CPU's) where the store has one."""
    ir_dir = store_dir(ir_dir)
    models = read_manifest(ir_dir)["models"]
    if precision == "int8":
        entry = int8_entry(models, model, scale, isa)
    else:
        entry = models.get(ir_stem(model, scale, precision))
    if entry is None and precision == "int8" and is_shipped(ir_dir):
        refused = int8_refusal(model, scale)
        if refused:
            raise IRError(f"no int8 IR for {model} x{scale}: {refused}; use the fp32 IR")
    if entry is None:
        hint = missing_ir_hint(model, scale, precision, ir_dir, models)
        raise IRError(f"no {precision} IR for {model} x{scale} in {ir_dir}/manifest.json; {hint}")
    if entry.get("model") != model or entry.get("scale") != scale:
        raise IRError(f"{ir_dir / entry['xml']}: manifest says {entry.get('model')} x{entry.get('scale')}")
    return verified(ir_dir, entry), entry


def verified(ir_dir: Path, entry: dict) -> Path:
    """The .xml of ``entry`` once both files exist and match the manifest's sha256."""
    xml, bin_ = ir_dir / entry["xml"], ir_dir / entry["bin"]
    for p in (xml, bin_):
        if not p.is_file():
            raise IRError(f"{p}: missing (listed in {ir_dir}/manifest.json)")
    for p, key in ((bin_, "bin_sha256"), (xml, "xml_sha256")):
        if key in entry and sha256(p) != entry[key]:
            raise IRError(f"{p}: sha256 differs from the manifest: the file was changed or corrupted; re-export it")
    return xml


def save_ir(ov_model, out_dir: Path, stem: str, compress_to_fp16: bool = False) -> tuple[Path, Path]:
    """Write <stem>.xml/.bin atomically (both land, or neither changes)."""
    import openvino as ov

    make_folder(out_dir)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        ov.save_model(ov_model, str(Path(tmp) / f"{stem}.xml"), compress_to_fp16=compress_to_fp16)
        xml, bin_ = out_dir / f"{stem}.xml", out_dir / f"{stem}.bin"
        os.replace(Path(tmp) / f"{stem}.bin", bin_)
        os.replace(Path(tmp) / f"{stem}.xml", xml)
    return xml, bin_


def entries(ir_dir: Path) -> dict[str, dict]:
    return read_manifest(ir_dir)["models"]
