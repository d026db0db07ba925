"""xeonsr zoo: the shipped models with their measured and paper PSNR."""

from __future__ import annotations

MARKERS = {"zoo-table": "markdown_table", "int8-table": "int8_table"}


def add_arguments(p) -> None:
    p.add_argument("--update-readme", metavar="README", help="rewrite the table between the zoo-table markers")


def run(args) -> int:
    from pathlib import Path

    from xeonsr import zoo

    print(zoo.markdown_table())
    if args.update_readme:
        from xeonsr.errors import UserError
        from xeonsr.fileio import atomic_write_text

        path = Path(args.update_readme)
        text = path.read_text()
        for marker, fn in MARKERS.items():
            begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
            if begin not in text or end not in text:
                raise UserError(f"{path}: no {begin} ... {end} markers to put the table between")
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            text = f"{head}{begin}\n{getattr(zoo, fn)()}\n{end}{tail}"
        atomic_write_text(path, text)
    return 0
