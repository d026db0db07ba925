"""Session 73 (Emerald Rapids Xeon): where one large image's `Upscaler.upscale` time goes, on one
stream so cProfile sees it all in this thread: scikit-image's astronaut resized to W x H (Pillow
bicubic), upscaled by MODEL at SCALE after a warm-up, the functions taking most time printed.
WHOLE=1: the chroma and colour conversion a whole band at a time, as before xeonsr.band_finish's
pieces (CHUNK_BYTES = 2**40).

    python benchmarks/probes/large_image_profile.py 3000x2000 fsrcnn 4 [WHOLE]
"""

import cProfile
import pstats
import sys

import skimage.data
from PIL import Image

import xeonsr.band_finish as band_finish
from xeonsr.upscaler import Upscaler

w, h = (int(v) for v in sys.argv[1].split("x"))
model, scale = sys.argv[2], int(sys.argv[3])
if len(sys.argv) > 4 and sys.argv[4] == "1":
    band_finish.CHUNK_BYTES = 1 << 40
photo = Image.fromarray(skimage.data.astronaut()).resize((w, h), Image.BICUBIC)
up = Upscaler(model, scale, streams=1)
up.upscale(photo)
profile = cProfile.Profile()
profile.enable()
up.upscale(photo)
profile.disable()
pstats.Stats(profile).sort_stats("tottime").print_stats(6)
