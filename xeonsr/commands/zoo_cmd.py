"""xeonsr zoo: the shipped models with their measured and paper PSNR."""

from __future__ import annotations

MARKERS = {"zoo-table": "markdown_table", "int8-table": "int8_table"}


def add_arguments(p) -> None:
    p.add_argument(
        "--update-readme",
        metavar="FILE",
        action="append",
        help="rewrite the zoo-table / int8-table blocks that FILE has (README.md, docs/int8.md); repeatable",
    )
    p.add_argument(
        "--measure-held-out",
        action="store_true",
        help="evaluate every shipped model on BSD200-val and the sample photos (needs --data-dir or "
        "XEONSR_DATA) and write the figures into the cards first",
    )
    p.add_argument("--data-dir", help="datasets folder (default: $XEONSR_DATA)")


def run(args) -> int:
    from xeonsr import zoo

    if args.measure_held_out:
        zoo.measure_held_out(args.data_dir)
    print(zoo.markdown_table())
    if args.update_readme:
        from xeonsr.readme import replace_blocks

        tables = {marker: getattr(zoo, fn)() for marker, fn in MARKERS.items()}
        for path in args.update_readme:
            replace_blocks(path, tables, only_present=True)
    return 0
