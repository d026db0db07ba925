"""Test sets grade; they never train, calibrate or choose. The one check that the images a run
learns from (training, calibration) and those it chooses by (validation, an INT8 budget) are
no test images, by name or by their pixels (a copy of Set5 in a folder of another name is still
Set5), and that the choosing images are none of the learned ones. ``xeonsr train`` and
``xeonsr quantize`` run it before any work."""

from __future__ import annotations

import hashlib
from pathlib import Path

from xeonsr.errors import UserError

TEST_SETS = {"set5", "set14", "b100", "urban100", "bsd100", "manga109"}


class HeldOutError(UserError, ValueError):
    pass


def named_test_set(learn, choose) -> str | None:
    """Why sets named (or folders so named) among ``learn`` or ``choose`` may not be, or None."""
    bad = [d for d in learn if Path(d).name.lower() in TEST_SETS]
    if bad:
        return f"refusing to train or calibrate on test set(s) {bad}: they are for evaluation only"
    bad = [d for d in choose if Path(d).name.lower() in TEST_SETS]
    if bad:
        return (
            f"refusing to validate or choose on the test set(s) {bad}: test sets grade, they never choose; "
            "choose on BSD200-val (held out of training) or a folder of your own"
        )
    return None


def check_held_out(learn: dict[str, list[Path]], choose: dict[str, list[Path]], data_dir=None) -> None:
    """Refuse a test image among ``learn`` or ``choose`` ({set label: image files}), found by its
    pixels among the test sets under ``data_dir`` (or $XEONSR_DATA), and a ``choose`` image that
    is also a ``learn`` one. Unreadable files are left to the reader that loads them."""
    tests = {d: f"{folder.name}/{p.name}" for folder in _test_folders(data_dir) for p, d in _digests(folder)}
    learned: dict[str, str] = {}
    for label, files in learn.items():
        for p, d in _digests(files):
            _not_a_test_image(label, p, d, tests, "train or calibrate")
            learned.setdefault(d, f"{label}/{p.name}")
    for label, files in choose.items():
        for p, d in _digests(files):
            _not_a_test_image(label, p, d, tests, "choose")
            if d in learned:
                raise HeldOutError(
                    f"{label}: {p.name} has the pixels of the learned-from image {learned[d]}: the images that "
                    "choose (validation, the INT8 budget) must be held out of those trained or calibrated on"
                )


def _not_a_test_image(label: str, path: Path, digest: str, tests: dict[str, str], role: str) -> None:
    if digest in tests:
        raise HeldOutError(
            f"{label}: {path.name} has the pixels of the test image {tests[digest]}: test sets grade, they never {role}"
        )


def _test_folders(data_dir) -> list[Path]:
    from xeonsr.data import data_root

    root = data_root(data_dir)
    if root is None or not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name.lower() in TEST_SETS)


def _digests(files) -> list[tuple[Path, str]]:
    """(file, digest of its decoded pixels) for each readable image: the same picture saved as
    PNG or BMP has one digest."""
    from xeonsr.imaging import ImageError, list_images, load_image

    out = []
    for p in list_images(files) if isinstance(files, Path) else files:
        try:
            pixels = load_image(p)
        except ImageError:
            continue
        out.append((p, hashlib.sha256(repr(pixels.shape).encode() + pixels.tobytes()).hexdigest()))
    return out
