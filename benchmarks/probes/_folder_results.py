"""What the PNG probes write (png_encoders.py, png_deflaters.py): the 19 Set5 + Set14 x3 LR images
(MATLAB bicubic 1/3) as PNG files, the (source, destination) jobs `xeonsr upscale` would run on
them and MODEL's upscaled results in memory; and other content to compare file sizes on."""

import os
import tempfile
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageDraw

from xeonsr.evaluate import resolve_dataset
from xeonsr.imaging import imresize, load_image
from xeonsr.upscaler import Upscaler


def folder_results(model: str):
    """-> (the Upscaler, [(LR png, SR png)], [upscaled arrays]); XEONSR_DATA holds Set5 and Set14."""
    data = os.environ["XEONSR_DATA"]
    up = Upscaler(model, 3, streams=2)
    print(up.runner.note)
    files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
    tmp, out = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    jobs, results = [], []
    for i, f in enumerate(files):
        lr = Image.fromarray(imresize(load_image(f), 1 / 3))
        lr.save(tmp / f"lr{i}.png")
        jobs.append((tmp / f"lr{i}.png", out / f"sr{i}.png"))
        results.append(np.asarray(up.upscale(lr)))
    return up, jobs, results


def other_content() -> dict:
    """A page of text, a grey gradient and two photos, by name (PIL images, RGB)."""
    page = Image.new("RGB", (400, 300), "white")
    for y in range(10, 290, 14):
        ImageDraw.Draw(page).text((10, y), "The quick brown fox jumps over the lazy dog 0123456789 " * 2, fill="black")
    ramp = np.tile(np.linspace(0, 255, 400).astype(np.uint8), (300, 1))
    return {
        "page of text": page,
        "gradient": Image.fromarray(ramp).convert("RGB"),
        "astronaut": Image.fromarray(skimage.data.astronaut()).resize((256, 256)),
        "coffee": Image.fromarray(skimage.data.coffee()).resize((200, 133)),
    }
