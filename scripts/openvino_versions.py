"""Every shipped IR this CPU loads, on Set5 + Set14 by the protocol, under older OpenVINO releases
against the one installed here: the table in docs/deployment.md ("OpenVINO 2023.3 (LTS) or later").

    python scripts/openvino_versions.py 2023.3.0 2024.0.0 2024.6.0 2025.0.0 --data-dir ../shared/datasets

Each version gets a slim venv (requirements-deploy.txt with that OpenVINO, the wheel built from
this checkout without its dependencies) under --work; each IR runs through `xeonsr eval` there and
here, and the largest per-image PSNR difference is printed per IR and per version. With --speed N,
then N rounds of Set14 x3 latency for each model's FP32 and INT8 IR, a process per version and IR
taking turns with this install's, so the ratios come from moments seconds apart.
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


def slim_venv(where: Path, wheel: Path, openvino: str | None = None, floors: bool = False) -> Path:
    """A venv with requirements-deploy.txt and the wheel without its dependencies, as README's slim
    install does (``openvino``: that release instead; ``floors``: each requirement at the oldest
    version it allows, as tests/test_wheel.py checks); -> its ``xeonsr``."""
    run(sys.executable, "-m", "venv", where)
    reqs = [ln for ln in (ROOT / "requirements-deploy.txt").read_text().splitlines() if ln and ln[0] != "#"]
    if floors:
        reqs = [ln.replace(">=", "==") for ln in reqs]  # "numpy==1.26" is 1.26.0
    if openvino:
        reqs = [f"openvino=={openvino}" if ln.startswith("openvino") else ln for ln in reqs]
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


SPEED_IRS = [(m, p) for m in ("srcnn", "fsrcnn", "fsrcnn-s", "dcscn") for p in ("fp32", "int8")]


def time_worker(model: str, precision: str, data_dir: str) -> None:
    """In the venv under test: mean over Set14 x3 of each image's median ms (3 calls after one)."""
    import statistics
    import time

    from xeonsr.evaluate import load_samples, resolve_dataset
    from xeonsr.runtime import load_runner

    fn = load_runner(model, 3, f"ov-{precision}", threads=2).plane_fn()
    per_image = []
    for sample in load_samples(resolve_dataset("Set14", data_dir)[1], 3):
        fn(sample.lr)
        calls = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn(sample.lr)
            calls.append((time.perf_counter() - t0) * 1e3)
        per_image.append(statistics.median(calls))
    print(json.dumps({"ms": statistics.fmean(per_image)}))


def speed(pythons: dict[str, Path], rounds: int, data_dir: str) -> None:
    import statistics

    here = next(iter(pythons))
    for model, precision in SPEED_IRS:
        ms = {v: [] for v in pythons}
        for _ in range(rounds):
            for version, python in pythons.items():
                cmd = [python, __file__, "--time-worker", model, precision, "--data-dir", data_dir]
                proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
                if proc.returncode:
                    sys.exit(f"{version} {model} {precision}: {proc.stderr.strip()[-500:]}")
                ms[version].append(json.loads(proc.stdout.strip().splitlines()[-1])["ms"])
        for version, values in ms.items():
            line = f"{model} x3 {precision} openvino {version}: {min(values):.2f}-{max(values):.2f} ms/image"
            if version != here:
                ratios = [a / b for a, b in zip(values, ms[here], strict=True)]
                line += f", {min(ratios):.2f}-{max(ratios):.2f}x the time of {here} in the same rounds"
            print(line + f" (median {statistics.median(values):.2f})", flush=True)


def main() -> None:
    if sys.argv[1:2] == ["--time-worker"]:
        return time_worker(sys.argv[2], sys.argv[3], sys.argv[5])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions", nargs="+", help="OpenVINO releases, e.g. 2023.3.0")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--work", default=None, help="where the venvs go (default: a temporary folder)")
    ap.add_argument("--speed", type=int, default=0, metavar="N", help="then N rounds of latency (default: none)")
    ap.add_argument("--skip-psnr", action="store_true", help="only the latency rounds")
    args = ap.parse_args()
    from xeonsr.info import cpu_info
    from xeonsr.installed import versions_of
    from xeonsr.irs import SHIPPED_IR_DIR

    manifest = json.loads((Path(SHIPPED_IR_DIR) / "manifest.json").read_text())["models"]
    irs = sorted({(e["model"], e["scale"], e["precision"]) for e in manifest.values()})
    work = Path(args.work or tempfile.mkdtemp(prefix="xeonsr-ov-"))
    work.mkdir(parents=True, exist_ok=True)
    run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", work / "dist")
    wheel = next((work / "dist").glob("xeonsr-*.whl"))
    here = Path(sys.executable).with_name("xeonsr")
    here_version = versions_of("openvino")["openvino"]
    print(f"{cpu_info().model}; here: openvino {here_version}; {len(irs)} IRs")
    pythons = {here_version: Path(sys.executable)}
    base = (
        {}
        if args.skip_psnr
        else {ir: psnrs(here, *ir, args.data_dir, work / f"here_{ir[0]}_x{ir[1]}_{ir[2]}.json") for ir in irs}
    )
    for version in args.versions:
        venv = work / f"ov{version}"
        if (venv / "bin" / "xeonsr").exists():  # a venv of an earlier run: this checkout's wheel in it
            run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", wheel)
            exe = venv / "bin" / "xeonsr"
        else:
            exe = slim_venv(venv, wheel, version)
        pythons[version] = exe.with_name("python")
        if args.skip_psnr:
            continue
        worst = {}
        for ir in irs:
            got = psnrs(exe, *ir, args.data_dir, work / f"ov{version}_{ir[0]}_x{ir[1]}_{ir[2]}.json")
            worst[ir] = max(abs(a - b) for a, b in zip(got, base[ir], strict=True))
            print(f"  {version} {ir[0]} x{ir[1]} {ir[2]}: largest |dPSNR| {worst[ir]:.6f} dB", flush=True)
        ir, dp = max(worst.items(), key=lambda kv: kv[1])
        print(f"openvino {version}: largest PSNR difference {dp:.6f} dB ({ir[0]} x{ir[1]} {ir[2]})", flush=True)
    if args.speed:
        speed(pythons, args.speed, args.data_dir)


if __name__ == "__main__":
    main()
