"""Which files a batch upscales and where each result goes: inputs (files, folders, globs,
folder trees) expanded, one distinct output path per input, and the checks that keep a batch
from replacing anything unasked (an existing output, an input, the --compare crop)."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from xeonsr.errors import UserError
from xeonsr.imaging import is_image_name, list_images
from xeonsr.photo_save import OUTPUT_FORMATS


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    trees: list[PurePath] = field(default_factory=list)  # each file's folder under OUT ('.' flat)
    left_out: dict[Path, int] = field(default_factory=dict)  # folder -> images in its subfolders, not taken


def expand_inputs(inputs: list[str], recursive: bool = False, out: Path | None = None) -> Inputs:
    """Files, folders (their images; with ``recursive`` their subfolders' too, each result in the
    same subfolder under OUT) and glob patterns (``**`` spans folders). Hidden folders and the
    output folder ``out`` are never walked: a second run must not upscale the first one's results."""
    found, missing = Inputs(), []
    skip = out.resolve() if out is not None and out.is_dir() else None
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.files += list_images(p)
            found.trees += [PurePath(".")] * (len(found.files) - len(found.trees))
            below = [(Path(d), f) for d, f in _tree(p, skip)][1:]
            if recursive:
                for d, names in below:
                    found.files += [d / n for n in names]
                    found.trees += [d.relative_to(p)] * len(names)
            elif below:
                found.left_out[p] = sum(len(names) for _, names in below)
        elif p.exists():  # before globbing: a browser's "photo[1].jpg" is a name, not a pattern
            found.files.append(p)  # one that cannot be read is named and skipped, the others done
        elif any(c in item for c in "*?["):
            matches = [Path(m) for m in glob.glob(item, recursive=True)]
            found.files += sorted(m for m in matches if m.is_file() and not _inside(m, skip))
            if not matches:  # a shell passes a pattern that matched nothing as it was typed
                missing.append(f"{item}: no file matches this pattern")
        else:
            missing.append(f"{item}: no such file or folder")
        found.trees += [PurePath(".")] * (len(found.files) - len(found.trees))
    if missing:  # a typo stops the batch before the model loads, not after the rest is done
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise UserError(f"{missing[0]}{more}")
    # A file named twice (a folder and its subfolder, a glob and a name) is upscaled once.
    first: dict[Path, tuple[Path, PurePath]] = {}
    for f, tree in zip(found.files, found.trees, strict=True):
        first.setdefault(f.resolve(), (f, tree))
    found.files, found.trees = [f for f, _ in first.values()], [t for _, t in first.values()]
    return found


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and folder in path.resolve().parents


def _tree(top: Path, skip):
    """(folder, its image names sorted) for ``top`` and every non-hidden folder below it (sorted,
    depth first), leaving out the folder ``skip`` (resolved) and folders with no images."""
    for d, dirs, names in os.walk(top):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and Path(d, x).resolve() != skip)
        images = sorted(n for n in names if is_image_name(n) and Path(d, n).is_file())
        if images or d == str(top):
            yield d, images


def output_paths(
    files: list[Path], out: Path, trees: list[PurePath] | None = None, suffix: str | None = None
) -> list[Path]:
    """One distinct output path in folder ``out`` per input: the input's name with ``suffix``
    (default: its own, PNG where results are not written in it: GIF, PPM, a file named with
    another suffix or none) in its tree's folder under ``out``; a name
    taken by an earlier input (``x.png`` and ``x.jpg`` both as JPEG, or two folders' ``x.png``)
    gets its folder's name added (``x-b.png``), then a number, so no result overwrites another."""
    trees = trees or [PurePath(".")] * len(files)
    taken: set[str] = set()
    paths = []
    for f, tree in zip(files, trees, strict=True):
        ext = suffix or (f.suffix if f.suffix.lower() in OUTPUT_FORMATS else ".png")  # lossless
        candidates = [f.stem, f"{f.stem}-{f.parent.name or 'input'}"]
        candidates += [f"{f.stem}-{f.parent.name or 'input'}-{i}" for i in range(2, len(files) + 2)]
        name = next(c + ext for c in candidates if str(tree / (c + ext)).lower() not in taken)
        taken.add(str(tree / name).lower())
        paths.append(out / tree / name)
    return paths


def _ident(path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def guard_outputs(jobs, overwrite: bool = False, skip_existing: bool = False):
    """The (source, destination) pairs to run, and how many were skipped. A destination that is
    one of the inputs is an error whatever the flags (the result would replace the original); one
    that exists already is an error unless ``overwrite`` (replace it) or ``skip_existing`` (leave
    it, and its input out)."""
    taken = [(s, d) for s, d in jobs if d.exists()]
    if taken:
        inputs = {_ident(s) for s, _ in jobs if s.is_file()}
        for s, d in taken:
            if d.is_dir():
                raise UserError(f"{d} is a folder, where the result of {s} would go; choose another output")
            if _ident(d) in inputs:
                raise UserError(
                    f"{d} is one of the inputs: the result would replace it; choose another output "
                    "(a new subfolder will do: an output folder is never read as input)"
                )
    if skip_existing:
        done = {d for _, d in taken}
        return [(s, d) for s, d in jobs if d not in done], len(taken)
    if taken and not overwrite:
        n, first = len(taken), taken[0][1]
        what = f"{first} already exists" if n == 1 else f"{n} of the outputs already exist ({first}, ...)"
        raise UserError(f"{what}: --overwrite replaces, --skip-existing keeps and upscales the rest")
    return jobs, 0


def guard_crop(crop, files, dests, overwrite: bool) -> None:
    """The --compare crop may be neither an input nor an output, nor replace a file unasked."""
    if crop.is_dir():
        raise UserError(f"{crop} is a folder; name the crop's PNG file")
    if crop.exists() and _ident(crop) in {_ident(f) for f in files if f.is_file()}:
        raise UserError(f"{crop} is one of the inputs; choose another name for the crop")
    if any(crop.resolve() == d.resolve() for d in dests):
        raise UserError(f"{crop} is also an output of the upscale; choose another name for the crop")
    if crop.exists() and not overwrite:
        raise UserError(f"{crop} already exists: --overwrite replaces it")
