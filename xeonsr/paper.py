"""The SRCNN paper's per-image figures (ECCV 2014, Tables 1 and 2): the floor we compare to.

PSNR in dB by the protocol; time in seconds per image on a 3.1 GHz Intel CPU (SRCNN 9-1-5,
C++). Values as in ../shared/reference/paper_tables.md.
"""

from __future__ import annotations

# (dataset, scale) -> image -> (bicubic_psnr, srcnn_psnr, srcnn_time_s)
PAPER: dict[tuple[str, int], dict[str, tuple[float, float, float]]] = {
    ("Set5", 2): {
        "baby": (37.07, 38.30, 0.38),
        "bird": (36.81, 40.64, 0.14),
        "butterfly": (27.43, 32.20, 0.10),
        "head": (34.86, 35.64, 0.13),
        "woman": (32.14, 34.94, 0.13),
    },
    ("Set5", 3): {
        "baby": (33.91, 35.01, 0.38),
        "bird": (32.58, 34.91, 0.14),
        "butterfly": (24.04, 27.58, 0.10),
        "head": (32.88, 33.55, 0.13),
        "woman": (28.56, 30.92, 0.13),
    },
    ("Set5", 4): {
        "baby": (31.78, 32.98, 0.38),
        "bird": (30.18, 31.98, 0.14),
        "butterfly": (22.10, 25.07, 0.10),
        "head": (31.59, 32.19, 0.13),
        "woman": (26.46, 28.21, 0.13),
    },
    ("Set14", 3): {
        "baboon": (23.21, 23.60, 0.40),
        "barbara": (26.25, 26.66, 0.70),
        "bridge": (24.40, 25.07, 0.44),
        "coastguard": (26.55, 27.20, 0.17),
        "comic": (23.12, 24.39, 0.15),
        "face": (32.82, 33.58, 0.13),
        "flowers": (27.23, 28.97, 0.30),
        "foreman": (31.18, 33.35, 0.17),
        "lenna": (31.68, 33.39, 0.44),
        "man": (27.01, 28.18, 0.44),
        "monarch": (29.43, 32.39, 0.66),
        "pepper": (32.39, 34.35, 0.44),
        "ppt3": (23.71, 26.02, 0.58),
        "zebra": (26.63, 28.87, 0.38),
    },
}

# The tables' "average" rows (the paper rounds them from unrounded per-image values).
PAPER_MEAN: dict[tuple[str, int], tuple[float, float, float]] = {
    ("Set5", 2): (33.66, 36.34, 0.18),
    ("Set5", 3): (30.39, 32.39, 0.18),
    ("Set5", 4): (28.42, 30.09, 0.18),
    ("Set14", 3): (27.54, 29.00, 0.39),
}


def paper_row(dataset: str, scale: int, image: str) -> tuple[float, float, float] | None:
    """(bicubic PSNR, SRCNN PSNR, SRCNN seconds) for one image, or None if not in the paper."""
    return PAPER.get((dataset, scale), {}).get(image)


# Mean PSNR (dB) and seconds per image of every method in the tables, for plots.
# (dataset, scale) -> method -> (psnr, seconds); bicubic has no time in the paper.
PAPER_METHODS: dict[tuple[str, int], dict[str, tuple[float, float]]] = {
    ("Set5", 2): {
        "K-SVD": (35.78, 3.03),
        "NE+NNLS": (35.43, 29.23),
        "NE+LLE": (35.77, 5.74),
        "ANR": (35.83, 0.87),
        "SRCNN": (36.34, 0.18),
    },
    ("Set5", 3): {
        "SC": (31.42, 35.92),
        "K-SVD": (31.90, 1.42),
        "NE+NNLS": (31.60, 12.21),
        "NE+LLE": (31.84, 2.58),
        "ANR": (31.92, 0.54),
        "SRCNN": (32.39, 0.18),
    },
    ("Set5", 4): {
        "K-SVD": (29.69, 0.98),
        "NE+NNLS": (29.47, 6.71),
        "NE+LLE": (29.61, 1.56),
        "ANR": (29.69, 0.38),
        "SRCNN": (30.09, 0.18),
    },
    ("Set14", 3): {
        "SC": (28.31, 84.88),
        "K-SVD": (28.67, 2.95),
        "NE+NNLS": (28.44, 25.87),
        "NE+LLE": (28.60, 5.35),
        "ANR": (28.65, 0.97),
        "SRCNN": (29.00, 0.39),
    },
}
