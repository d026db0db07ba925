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


def run(args) -> int:
    from xeonsr import zoo

    print(zoo.markdown_table())
    if args.update_readme:
        from xeonsr.readme import replace_blocks

        tables = {marker: getattr(zoo, fn)() for marker, fn in MARKERS.items()}
        for path in args.update_readme:
            replace_blocks(path, tables, only_present=True)
    return 0
