"""xeonsr: fast, paper-exact single-image super-resolution on CPUs.

``from xeonsr import Upscaler; Upscaler("fsrcnn", scale=3).upscale(pil_image)``
"""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy, so `import xeonsr` (and the CLI's --help) never pulls in torch or OpenVINO.
    if name == "Upscaler":
        from xeonsr.upscaler import Upscaler

        return Upscaler
    raise AttributeError(name)


__all__ = ["Upscaler"]
