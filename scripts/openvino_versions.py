"""Every shipped IR this CPU loads, on Set5 + Set14 by the protocol, under older OpenVINO releases
against the one installed here: the table in docs/deployment.md ("OpenVINO 2023.3 (LTS) or later").

    python scripts/openvino_versions.py 2023.3.0 2024.0.0 2024.6.0 2025.0.0 --data-dir ../shared/datasets

Each version gets a slim venv (requirements-deploy.txt with that OpenVINO, the wheel built from
this checkout without its dependencies) under --work; each IR runs through `xeonsr eval` there and
here, and the largest per-image PSNR difference is printed per IR and per version.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd) -> None:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{' '.join(map(str, cmd[:4]))} ...: {(proc.stderr or proc.stdout).strip()[-500:]}")


def slim_venv(where: Path, wheel: Path, openvino: str) -> Path:
    run(sys.executable, "-m", "venv", where)
    reqs = [
        f"openvino=={openvino}" if ln.startswith("openvino") else ln
        for ln in (ROOT / "requirements-deploy.txt").read_text().splitlines()
    ]
    (where / "requirements.txt").write_text("\n".join(reqs) + "\n")
    pip = [where / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run(*pip, "-r", where / "requirements.txt")
    run(*pip, "--no-deps", wheel)
    return where / "bin" / "xeonsr"


def psnrs(exe: Path, model: str, scale: int, precision: str, data_dir: str, out: Path) -> list[float]:
    run(exe, "eval", "--model", model, "--scale", scale, "--dataset", "Set5,Set14", "--data-dir", data_dir,
        "--backend", "openvino", "--precision", precision, "--no-ssim", "--threads", "2", "--json", out)  # fmt: skip
    sets = json.loads(out.read_text())["sets"]
    return [image["psnr"] for name in ("Set5", "Set14") for image in sets[name]["images"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions", nargs="+", help="OpenVINO releases, e.g. 2023.3.0")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--work", default=None, help="where the venvs go (default: a temporary folder)")
    args = ap.parse_args()
    from xeonsr.info import cpu_info, versions_of
    from xeonsr.irs import SHIPPED_IR_DIR

    manifest = json.loads((Path(SHIPPED_IR_DIR) / "manifest.json").read_text())["models"]
    irs = sorted({(e["model"], e["scale"], e["precision"]) for e in manifest.values()})
    work = Path(args.work or tempfile.mkdtemp(prefix="xeonsr-ov-"))
    work.mkdir(parents=True, exist_ok=True)
    run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", work / "dist")
    wheel = next((work / "dist").glob("xeonsr-*.whl"))
    here = Path(sys.executable).with_name("xeonsr")
    print(f"{cpu_info().model}; here: openvino {versions_of('openvino')['openvino']}; {len(irs)} IRs")
    base = {ir: psnrs(here, *ir, args.data_dir, work / f"here_{ir[0]}_x{ir[1]}_{ir[2]}.json") for ir in irs}
    for version in args.versions:
        exe = slim_venv(work / f"ov{version}", wheel, version)
        worst = {}
        for ir in irs:
            got = psnrs(exe, *ir, args.data_dir, work / f"ov{version}_{ir[0]}_x{ir[1]}_{ir[2]}.json")
            worst[ir] = max(abs(a - b) for a, b in zip(got, base[ir], strict=True))
            print(f"  {version} {ir[0]} x{ir[1]} {ir[2]}: largest |dPSNR| {worst[ir]:.6f} dB", flush=True)
        ir, dp = max(worst.items(), key=lambda kv: kv[1])
        print(f"openvino {version}: largest PSNR difference {dp:.6f} dB ({ir[0]} x{ir[1]} {ir[2]})", flush=True)


if __name__ == "__main__":
    main()
