"""xeonsr bench: per-image latency of models x backends against the paper's CPU timings."""

from __future__ import annotations

from xeonsr.commands import count
from xeonsr.errors import UserError


def add_arguments(p) -> None:
    p.add_argument(
        "--dataset",
        default=None,
        help="Set5, Set14 (under --data-dir), a folder, or 'samples' (scikit-image's photos); throughput: "
        "comma-separated. Default: Set14 (the paper's timing set) when a data dir is set, else 'samples'",
    )
    p.add_argument(
        "--mode",
        choices=["latency", "throughput"],
        default="latency",
        help="latency: each image timed alone, beside the paper; throughput: a folder of mixed sizes, images/s",
    )
    p.add_argument("--data-dir", default=None, help="folder holding Set5/, Set14/ (default $XEONSR_DATA)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default 3, or that of --weights / the store)")
    p.add_argument(
        "--models",
        default=None,
        help="comma-separated registry names (default srcnn,fsrcnn; the model of --weights FILE, or the "
        "models an --ir-dir store holds)",
    )
    p.add_argument(
        "--backends",
        default=None,
        help="comma-separated: torch-fp32, torch-bf16, ipex, ov-fp32, ov-bf16, ov-int8; peers opencv (cv2.dnn), "
        "ort (ONNX Runtime fp32), ort-int8 (ONNX Runtime's own INT8, calibrated on T91 under the data dir). "
        "Default: torch-fp32,ov-fp32,ov-int8 (without torch installed: ov-fp32,ov-int8)",
    )
    p.add_argument("--threads", type=count(1), default=None, help="threads to use (capped at what the machine has)")
    p.add_argument(
        "--weights",
        action="append",
        default=[],
        metavar="[MODEL=]FILE",
        help="your weights for the torch rows and the peers (repeatable; MODEL= when several models); the ov-* "
        "rows run the IR exported from them",
    )
    p.add_argument(
        "--ir-dir",
        default=None,
        help="IR store for the ov-* rows (default: the shipped IRs; with --weights for every model, the store "
        "`xeonsr export --weights` writes to)",
    )
    p.add_argument("--warmup", type=count(0), default=None, help="untimed runs of each image first (default 2)")
    p.add_argument(
        "--repeats", type=count(1), default=None, help="timed runs of each image, the median kept (default 7)"
    )
    p.add_argument(
        "--rounds",
        type=count(1),
        default=None,
        help="throughput: interleaved rounds over the folder, the best kept (default 3; more on a noisy host)",
    )
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--plot", metavar="PATH", help="PSNR vs latency PNG with the paper's methods")
    p.add_argument("--table", metavar="PATH", help="write the table printed here to a text file too")
    p.add_argument(
        "--update-readme",
        metavar="FILE",
        action="append",
        help="rewrite the bench-table block of FILE (README.md, docs/performance.md); repeatable",
    )


def model_list(text: str, ir_dir: str | None = None) -> list[str]:
    """--models as a list, each once (a name typed twice timed it twice, in two rows), a
    misspelt name refused in one line before any work."""
    models = list(dict.fromkeys(m.strip() for m in text.split(",") if m.strip()))
    try:
        from xeonsr.models import get_spec
    except ModuleNotFoundError:  # the slim install (no torch): the models its IR store holds
        from xeonsr.irs import read_manifest, store_dir

        store = store_dir(ir_dir)
        known = list(dict.fromkeys(e["model"] for e in read_manifest(store)["models"].values()))
        unknown = [m for m in models if m not in known]
        if unknown:
            raise UserError(f"unknown model(s) {', '.join(unknown)}: {store} has IRs of {', '.join(known)}") from None
        return models
    for m in models:
        get_spec(m)
    return models


def backend_list(text: str | None) -> list[str]:
    """--backends as a list (checked); the default leaves out torch where it is not installed."""
    from xeonsr.bench import check_backends
    from xeonsr.installed import installed

    if text is None:
        text = "torch-fp32,ov-fp32,ov-int8" if installed("torch") else "ov-fp32,ov-int8"
    return check_backends(list(dict.fromkeys(b.strip() for b in text.split(",") if b.strip())))


def typed_command() -> str:
    """The command line as typed, for the tables that say what made them."""
    import shlex
    import sys

    return "xeonsr " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["bench"] else "xeonsr bench"


def write_table(path: str, text: str) -> None:
    from xeonsr.fileio import atomic_write_text

    atomic_write_text(path, text + "\n")


def run(args) -> int:
    from xeonsr.bench import run_bench
    from xeonsr.bench_report import peer_versions, plot, table
    from xeonsr.bench_sources import ir_dir_for, own_model, weights_for
    from xeonsr.evaluate import default_dataset, load_samples, resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.installed import versions
    from xeonsr.protocol import check_scale

    if args.models is None:
        args.models, args.scale = own_model(args.weights, args.ir_dir, args.scale)
    scale = check_scale(args.scale or 3)
    models = model_list(args.models, args.ir_dir)
    backends = backend_list(args.backends)  # both modes, before any work
    args.ir_dir = ir_dir_for(args.weights, models, scale, args.ir_dir, backends)  # one network per model
    # What would fail after minutes of measuring fails now: a README without the table's markers,
    # a plot without matplotlib (the slim install has none).
    for path in args.update_readme or ():
        from xeonsr.readme import check_blocks

        check_blocks(path, ["throughput-table" if args.mode == "throughput" else "bench-table"])
    if args.mode == "throughput":
        given = [f"--{k}" for k in ("plot", "warmup", "repeats") if getattr(args, k) is not None]
        if given:  # throughput runs interleaved rounds over the folder (--rounds) and draws no plot
            raise UserError(f"{', '.join(given)}: latency mode's options, not throughput's")
        args.rounds = 3 if args.rounds is None else args.rounds
    elif args.rounds is not None:
        raise UserError("--rounds: throughput mode's option (latency mode: --repeats)")
    else:
        args.warmup = 2 if args.warmup is None else args.warmup
        args.repeats = 7 if args.repeats is None else args.repeats
    if args.plot:
        import matplotlib  # noqa: F401
    if args.dataset is None:
        import sys

        args.dataset = default_dataset(args.data_dir, "Set14")
        if args.dataset == "samples":
            print(
                "xeonsr bench: no data dir (--data-dir or XEONSR_DATA): timing scikit-image's photos; "
                "the paper's CPU times are for Set14",
                file=sys.stderr,
            )
    if args.mode == "throughput":
        return run_throughput_mode(args, scale, models, backends)
    label, files = resolve_dataset(args.dataset, args.data_dir)
    samples = load_samples(files, scale)
    cpu = cpu_info()
    print(f"xeonsr bench: {label} x{scale} on {cpu.model}")
    weights = weights_for(args.weights, models, scale, args.ir_dir, backends)
    res = run_bench(
        samples,
        label,
        scale,
        models,
        backends,
        args.threads,
        args.warmup,
        args.repeats,
        weights=weights,
        ir_dir=args.ir_dir,
        data_dir=args.data_dir,
    )
    text = table(res)
    print(text)
    res.update(
        {
            "cpu": cpu.model,
            "flags": sorted(
                cpu.flags & {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni"}
            ),
            "versions": {**versions(), **peer_versions([s["backend"] for s in res["summary"]])},
        }
    )
    if args.json:
        from xeonsr.fileio import write_json

        write_json(args.json, res)
    if args.plot:
        plot(res, args.plot, f"{cpu.model}, {res['threads']['used']} threads")
    if args.table:
        write_table(args.table, text)
    if args.update_readme:
        from xeonsr.bench_report import markdown_summary
        from xeonsr.readme import replace_blocks

        command = typed_command()
        for path in args.update_readme:
            replace_blocks(path, {"bench-table": markdown_summary(res, command)})
    return 0


def run_throughput_mode(args, scale: int, models: list[str], backends: list[str]) -> int:
    from xeonsr.bench_sources import weights_for
    from xeonsr.evaluate import dataset_names, load_samples, resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.installed import versions
    from xeonsr.throughput import markdown, run_throughput

    files = []
    for name in dataset_names(args.dataset):
        files += resolve_dataset(name, args.data_dir)[1]
    cpu = cpu_info()
    print(f"xeonsr bench --mode throughput: {len(files)} images ({args.dataset}) x{scale} on {cpu.model}")
    res = run_throughput(
        load_samples(files, scale),
        files,
        scale,
        models,
        backends,
        args.threads,
        data_dir=args.data_dir,
        weights=weights_for(args.weights, models, scale, args.ir_dir, backends),
        ir_dir=args.ir_dir,
        rounds=args.rounds,
    )
    if not res["rows"]:
        raise UserError("nothing measured: every model/backend asked for was skipped (reasons above)")
    command = typed_command()
    text = markdown(res, cpu.model, command)
    print(text)
    if args.table:
        write_table(args.table, text)
    if args.json:
        from xeonsr.fileio import write_json

        write_json(
            args.json, {**res, "cpu": cpu.model, "dataset": args.dataset, "scale": scale, "versions": versions()}
        )
    if args.update_readme:
        from xeonsr.readme import replace_blocks

        for path in args.update_readme:
            replace_blocks(path, {"throughput-table": text})
    return 0
