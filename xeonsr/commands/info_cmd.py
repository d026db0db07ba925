"""xeonsr info"""


def add_arguments(p) -> None:
    p.add_argument("--json", metavar="PATH", help="also write the facts as JSON")


def run(args) -> int:
    hand = handoff_now()  # measured once for the text and the JSON
    print(info_text(hand))
    if args.json:
        from dataclasses import asdict

        from xeonsr.fileio import write_json
        from xeonsr.info import cpu_info, ipex_status, resolve_backend, resolve_precision
        from xeonsr.installed import versions_of

        cpu = cpu_info()
        d = asdict(cpu)
        d["flags"] = sorted(cpu.flags)
        write_json(
            args.json,
            {
                "cpu": d,
                "versions": versions_of("torch", "openvino", "nncf", "numpy"),
                "ipex": ipex_status(),
                "precision": resolve_precision("auto", cpu),
                "backend": resolve_backend("auto"),
                "handoff": asdict(hand) if hand else None,
            },
        )
    return 0


def handoff_now():
    """The handoff between the first and last CPU this process may use (None with one CPU)."""
    import os

    from xeonsr import handoff

    cpus = handoff.pair(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return handoff.measure(*cpus) if cpus else None


def info_text(hand=...) -> str:
    """What `xeonsr info` prints: the CPU's facts (:mod:`xeonsr.info`) and what xeonsr picks from them
    (``hand``: the handoff already measured, None with one CPU; measured here if not given)."""
    from xeonsr import handoff
    from xeonsr import info as facts  # by module: tests patch facts.cpu_info
    from xeonsr.installed import installed, versions_of
    from xeonsr.threads import cpu_quota, quota_threads

    cpu, quota = facts.cpu_info(), cpu_quota()
    lines = [
        f"CPU:        {cpu.model}",
        f"cores:      {cpu.physical_cores} physical, {cpu.logical_cpus} logical, "
        f"{cpu.usable_cpus} usable by this process"
        + (f", a CPU quota of {quota:g} (threads are capped at {quota_threads(quota)})" if quota else ""),
        "ISA flags:  " + "  ".join(f"{f}={'yes' if f in cpu.flags else 'no'}" for f in facts.SPEED_FLAGS),
    ]
    hand = handoff_now() if hand is ... else hand
    if hand:
        apart = hand.cross_gbs < handoff.SLOW * hand.own_gbs
        lines.append(
            f"handoff:    CPU {hand.dst} reads CPU {hand.src}'s writes at {hand.cross_gbs:.0f} GB/s now, its own at "
            f"{hand.own_gbs:.0f}"
            + (
                " (under half: the two share no cache now; on a VM its vCPUs can sit apart for minutes, "
                "and engines whose threads trade data run up to 2x slower then)"
                if apart
                else ""
            )
        )
    for pkg, ver in versions_of("torch", "openvino", "nncf", "numpy").items():
        lines.append(f"{pkg + ':':<11} {ver or 'not installed'}")
    ok, why = facts.ipex_status()
    lines.append(f"{'ipex:':<11} {'importable ' + why if ok else why}")
    if installed("torch"):
        prec, pnote = facts.resolve_precision("auto", cpu)
        backend, bnote = facts.resolve_backend("auto")
        lines.append(f"training:   backend {backend} ({bnote}); precision {pnote}")
    else:
        lines.append(
            "training:   needs torch (not installed): this install runs the IRs (upscale, eval, bench, profile)"
        )
    bf16 = "; --precision bf16 runs the FP32 IR in bf16" if cpu.native_bf16 else ""
    first = facts.int8_first_note(cpu)
    lines.append(f"inference:  OpenVINO CPU, f32 inference hint; `xeonsr upscale` takes {first}{bf16}")
    cls, cap = facts.cpu_class(cpu.flags), facts.onednn_cap()
    held = cap and facts.cpu_class(cpu.flags, capped=False)
    why = f"oneDNN held to {cap} by ONEDNN_MAX_CPU_ISA" if held else "kernel plans are for AVX-512 VNNI CPUs"
    kernels = (
        f"{cls}: the IRs' measured kernel plans apply (xeonsr tune{designs_tuned(cpu, cls)})"
        if cls
        else f"OpenVINO's own choice per layer ({why})"
    )
    if "amx_int8" in cpu.flags and (not cap or "AMX" in cap.upper()):
        kernels += "; the INT8 AMX kernels that fail on some layers are avoided"
    lines.append(f"kernels:    {kernels}")
    from xeonsr.ir_forms import EVERY_IR_FORMS, HOST_FORMS, INT8_FORMS, STATIC_FORMS

    forms = HOST_FORMS.get(cpu.forms_class, ())
    fp32 = [f.__name__ for f in forms if f not in INT8_FORMS + EVERY_IR_FORMS]
    int8 = [f.__name__ for f in forms if f in INT8_FORMS]
    every = [f.__name__ for f in forms if f in EVERY_IR_FORMS]
    parts = [f"{', '.join(fp32)} (FP32 IRs, and INT8 IRs' float layers that no quantizer follows)"] if fp32 else []
    parts += [f"{', '.join(int8)} (INT8 IRs: the same integer sums)"] if int8 else []
    parts += [f"{', '.join(every)} (every IR: the same values)"] if every else []
    static = [f.__name__ for f in STATIC_FORMS.get(cpu.forms_class, ())]
    parts += [f"{', '.join(static)} (a shape run again, in a network of its own)"] if static else []
    lines.append("exact forms: " + ("; ".join(parts) or "the IRs as stored (compiled here as they ship)"))
    from xeonsr.compile_cache import cache_dir

    kept = cache_dir(create=False)
    lines.append(f"compiled:   {f'kept in {kept}' if kept else 'not kept'} for later processes (XEONSR_CACHE_DIR)")
    from xeonsr.png_write import DEFLATER

    lines.append(f"PNG out:    deflated by {DEFLATER}")
    return "\n".join(lines)


def designs_tuned(cpu, cls: str) -> str:
    """ "; N shipped IRs with records of this design (family F model M)": how many run plans tuned
    on this CPU's own design rather than on another of its class."""
    from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
    from xeonsr.kernels import cpu_key, plan_key, plan_record

    if not (SHIPPED_IR_DIR / "manifest.json").is_file():
        return ""
    own = plan_key(cls, "f32", cpu_key(cpu))
    entries = [e for e in read_manifest(SHIPPED_IR_DIR)["models"].values() if own in (e.get("kernels") or {})]
    n = sum(plan_record(e, "f32", cpu) is e["kernels"][own] for e in entries)
    return f"; {n} shipped IRs with records of this design, {cpu_key(cpu)}" if n else ""
