"""xeonsr zoo: the shipped models with their measured and paper PSNR."""

from __future__ import annotations

BEGIN, END = "<!-- zoo-table:begin -->", "<!-- zoo-table:end -->"


def add_arguments(p) -> None:
    p.add_argument("--update-readme", metavar="README", help="rewrite the table between the zoo-table markers")


def run(args) -> int:
    from pathlib import Path

    from xeonsr.zoo import markdown_table

    table = markdown_table()
    print(table)
    if args.update_readme:
        from xeonsr.errors import UserError
        from xeonsr.fileio import atomic_write_text

        path = Path(args.update_readme)
        text = path.read_text()
        if BEGIN not in text or END not in text:
            raise UserError(f"{path}: no {BEGIN} ... {END} markers to put the table between")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        atomic_write_text(path, f"{head}{BEGIN}\n{table}\n{END}{tail}")
    return 0
