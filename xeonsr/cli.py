"""The ``xeonsr`` command. Heavy libraries (torch, openvino, nncf) are imported lazily by the
command that needs them, so ``xeonsr --help`` costs nothing.

``main(argv) -> exit code`` is testable in-process; errors meant for people are one line on
stderr and a non-zero exit, and ``--traceback`` shows the full story.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from xeonsr import __version__

# command -> module with add_arguments(parser) and run(args) -> int
COMMANDS = {
    "eval": ("xeonsr.commands.eval_cmd", "evaluate a model (or bicubic) by the papers' protocol"),
    "train": ("xeonsr.commands.train_cmd", "train a model on CPU (or CUDA)"),
    "upscale": ("xeonsr.commands.upscale_cmd", "upscale your own images (files, folders, globs)"),
    "export": ("xeonsr.commands.export_cmd", "convert to OpenVINO IR (FP32) and update the manifest"),
    "quantize": ("xeonsr.commands.quantize_cmd", "INT8 IR with NNCF within a PSNR budget on held-out images"),
    "bench": ("xeonsr.commands.bench_cmd", "per-image latency vs the SRCNN paper's CPU timings"),
    "profile": ("xeonsr.commands.profile_cmd", "per-layer time of an OpenVINO IR on this CPU"),
    "tune": ("xeonsr.commands.tune_cmd", "measure the fastest OpenVINO kernel per layer on this CPU"),
    "info": ("xeonsr.commands.info_cmd", "CPU, ISA flags, library versions and chosen backend"),
    "zoo": ("xeonsr.commands.zoo_cmd", "the shipped models, their PSNR and the papers'"),
}

EXIT_USAGE = 2
EXIT_FAIL = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xeonsr", description="Fast, paper-exact super-resolution on CPUs.")
    parser.add_argument("--traceback", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"xeonsr {__version__}", help="say the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module, _parser=p)
        # Command modules import heavy libraries inside run(), so this stays cheap.
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    args._argv = list(sys.argv[1:] if argv is None else argv)  # which options were typed (given_options)
    if extra:  # said by the command's parser: its usage line, not the top level's
        (getattr(args, "_parser", None) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    empty = _empty_value(args)
    if empty:  # `--ir-dir "$STORE"` with STORE unset: Path("") is the working folder, read or written unsaid
        args._parser.error(f"{empty}: an empty value (an unset shell variable?)")
    import warnings

    from xeonsr.errors import note

    # A skipped file and the like are one line each, as errors are (not Python's two), above a bar.
    warnings.formatwarning = lambda message, *_args, **_kw: f"xeonsr: warning: {message}\n"
    warnings.showwarning = lambda message, *_args, **_kw: note(str(message), "warning")
    previous = _stop_on_sigterm()
    try:
        from xeonsr.fileio import check_outputs

        check_outputs(args)
        return int(importlib.import_module(args._module).run(args) or 0)
    except Terminated:
        print("xeonsr: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("xeonsr: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `xeonsr info | head -1`: the reader left; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 - people get one line; --traceback gets the rest
        if args.traceback or os.environ.get("XEONSR_TRACEBACK"):
            raise
        from xeonsr.errors import is_user_error, one_line

        prefix = "error" if is_user_error(e) else f"internal error ({e.__class__.__name__})"
        print(f"xeonsr {args.command}: {prefix}: {one_line(e)}", file=sys.stderr)
        if not is_user_error(e):
            print("  (run with --traceback for details)", file=sys.stderr)
        return EXIT_FAIL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM (kill, timeout, a service or container stopping) taken as Ctrl-C is: the command
    stops at once and cleans up (no temporary files left beside the outputs) instead of dying."""


def _stop_on_sigterm():
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None  # only the main thread may set handlers (an API caller's worker, say)

    def stop(_signum, _frame):
        raise Terminated

    return signal.signal(signal.SIGTERM, stop)


def _empty_value(args) -> str | None:
    """The first option (or input) typed as an empty string, as the user would name it."""
    for dest, value in vars(args).items():
        if dest.startswith("_"):  # ours: the argv kept, the command's module and parser
            continue
        if value == "" or (isinstance(value, list) and "" in value):
            return "INPUT" if dest == "inputs" else f"--{dest.replace('_', '-')}"
    return None


if __name__ == "__main__":
    sys.exit(main())
