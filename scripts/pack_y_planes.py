"""Write the training sets as Y planes (grey PNGs: the protocol's Y of each image, which xeonsr
reads back as its own Y), small enough to carry to a lent machine (T91 + BSD200: ~30 MB).

Usage: python scripts/pack_y_planes.py DATA_DIR OUT_DIR [T91 BSD200 ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from xeonsr.data import find_dataset
from xeonsr.imaging import list_images, load_image, luma


def main(argv: list[str]) -> int:
    data, out, *sets = argv
    for name in sets or ["T91", "BSD200"]:
        dest = Path(out) / name
        dest.mkdir(parents=True, exist_ok=True)
        for path in list_images(find_dataset(name, data)):
            Image.fromarray(luma(load_image(path))).save(dest / f"{path.stem}.png", optimize=True)
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="write training sets as Y planes (grey PNGs)")
    parser.add_argument("data_dir", help="the folder holding the datasets")
    parser.add_argument("out_dir", help="where the sets' folders of Y planes go")
    parser.add_argument("sets", nargs="*", help="the sets (default: T91 BSD200)")
    args = parser.parse_args()
    sys.exit(main([args.data_dir, args.out_dir, *args.sets]))
