"""xeonsr info"""


def add_arguments(p) -> None:
    p.add_argument("--json", metavar="PATH", help="also write the facts as JSON")


def run(args) -> int:
    from xeonsr.info import info_text

    print(info_text())
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
            },
        )
    return 0
