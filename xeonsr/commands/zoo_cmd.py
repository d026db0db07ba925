"""xeonsr zoo: the shipped models with their measured and paper PSNR."""

from __future__ import annotations

MARKERS = {"zoo-table": "markdown_table", "int8-table": "int8_table"}


def add_arguments(p) -> None:
    p.add_argument("--update-readme", metavar="README", help="rewrite the table between the zoo-table markers")


def run(args) -> int:
    from xeonsr import zoo

    print(zoo.markdown_table())
    if args.update_readme:
        from xeonsr.readme import replace_blocks

        replace_blocks(args.update_readme, {marker: getattr(zoo, fn)() for marker, fn in MARKERS.items()})
    return 0
