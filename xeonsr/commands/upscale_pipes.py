"""`xeonsr upscale - -o -`: an image through a pipe, as other image tools take one.

Standard input is read whole into a file of a temporary folder, and the result is written to one
there, then copied to standard output: the upscale is the one a file gets (the same checks, the
same bytes), and the summary goes to standard error so the image stream stays clean."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

from xeonsr.errors import UserError

PIPE = "-"


def uses_pipes(args) -> bool:
    return PIPE in args.inputs or args.output == PIPE


def through_pipes(args, run) -> int:
    """Run ``run(args)`` with ``-`` as input and/or output swapped for files of a temporary folder."""
    if args.inputs != [PIPE] and (PIPE in args.inputs or len(args.inputs) > 1 or Path(args.inputs[0]).is_dir()):
        where = "standard input is one image, alone" if PIPE in args.inputs else "standard output takes one image"
        raise UserError(f"-: {where}; name files (or an output folder) for several")
    if args.inputs == [PIPE] and sys.stdin.isatty():
        raise UserError("-: standard input is a terminal; pipe an image in (xeonsr upscale - -o out.png < photo.jpg)")
    if args.output == PIPE and sys.stdout.isatty():
        raise UserError("-o -: standard output is a terminal; redirect it (> big.png) or name a file")
    with tempfile.TemporaryDirectory(prefix="xeonsr-pipe-") as tmp:
        if args.inputs == [PIPE]:
            data = sys.stdin.buffer.read()
            if not data:
                raise UserError("-: nothing on standard input (an image's bytes are piped in)")
            args.inputs = [str(Path(tmp, "standard-input"))]
            Path(args.inputs[0]).write_bytes(data)
            args.pipe_names = {args.inputs[0]: "standard input"}
        if args.output != PIPE:
            return _named_errors(run, args)
        out = Path(tmp, f"standard-output.{args.format or 'png'}")
        args.output, args.format, args.overwrite = str(out), None, True
        args.pipe_names = {**getattr(args, "pipe_names", {}), str(out): "standard output"}
        with contextlib.redirect_stdout(sys.stderr):  # the summary; the image goes to stdout
            status = _named_errors(run, args)
        if out.is_file():
            sys.stdout.buffer.write(out.read_bytes())
            sys.stdout.buffer.flush()
        return status


def _named_errors(run, args) -> int:
    """``run(args)``, its one-line errors naming the pipes rather than the files standing for them
    (a glob of several images with -o -, say)."""
    try:
        return run(args)
    except UserError as e:
        raise UserError(named(str(e), args)) from None


def named(text: str, args) -> str:
    """``text`` with the files that stand for a pipe named as the pipe."""
    for path, name in getattr(args, "pipe_names", {}).items():
        text = text.replace(path, name)
    return text
